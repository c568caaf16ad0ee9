import assert from "node:assert/strict";
import { join } from "node:path";
import { CsvWatcher } from "./_csv_watcher.ts";

Deno.test("CsvWatcher counts complete rows as the file grows", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "csv-watcher-" });
  const path = join(dir, "metric_log.csv");
  let time = 100;
  const watcher = new CsvWatcher(path, { trackIds: true, now: () => time });
  try {
    await t.step("a missing file has no rows", async () => {
      assert.equal(await watcher.poll(), 0);
    });
    await t.step("the header is not a row, a torn line waits", async () => {
      await Deno.writeTextFile(path, "id,y_true,y_pred,error\na,1,2,1\nb,1,");
      assert.equal(await watcher.poll(), 1);
      assert.deepEqual([...watcher.seen], [["a", 100]]);
    });
    await t.step("the rest of a torn line completes it", async () => {
      time = 250;
      await Deno.writeTextFile(path, "3,2\nc,5,5,0\n", { append: true });
      assert.equal(await watcher.poll(), 3);
      assert.deepEqual([...watcher.seen], [["a", 100], ["b", 250], ["c", 250]]);
    });
    await t.step("waitForRows resolves with the time the rows were seen", async () => {
      assert.equal(await watcher.waitForRows(3, 0), 250);
      await assert.rejects(() => watcher.waitForRows(4, 0, 1), {
        message: `Timed out after 0 ms waiting for 4 rows in "${path}": 3 so far`,
      });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
