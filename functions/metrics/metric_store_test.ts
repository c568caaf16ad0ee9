import assert from "node:assert/strict";
import { join } from "node:path";
import { createClock } from "@sinonjs/fake-timers";
import { createLogger } from "../../shared/logger.ts";
import { CSV_HEADER, type MetricStore, openMetricStore } from "./metric_store.ts";
import type { StoredHalf } from "./half_journal.ts";

interface StoreRun {
  readonly dir: string;
  readonly store: MetricStore;
  readonly logs: Record<string, unknown>[];
  /** Lines of a file in the directory. */
  lines(name: string): Promise<string[]>;
  /** Fires the flush timer and waits for the commit. */
  commit(): Promise<void>;
}

async function withStore(
  body: (run: StoreRun) => Promise<void>,
  options: { waiting?: StoredHalf[]; compactAfter?: number } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "metric_store_test_" });
  const clock = createClock(5000);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger("metrics", { write: (line) => logs.push(JSON.parse(line)) });
  const { store } = await openMetricStore(dir, {
    logger,
    scheduler: clock,
    now: () => clock.now,
    waiting: {
      size: options.waiting?.length ?? 0,
      halves: () => options.waiting ?? [],
    },
    ...(options.compactAfter === undefined ? {} : { compactAfter: options.compactAfter }),
  });
  try {
    await body({
      dir,
      store,
      logs,
      lines: async (name) => (await Deno.readTextFile(join(dir, name))).split("\n").slice(0, -1),
      commit: () => store.flush(),
    });
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const half = (id: string, value = 1): StoredHalf => ({ id, side: "y_true", value, since: 7 });

Deno.test("MetricStore writes a deleted metric log anew, never into the deleted file", async () => {
  await withStore(async (run) => {
    const csv = join(run.dir, "metric_log.csv");
    run.store.appendRow("a", 3, 1);
    await run.commit();
    await Deno.remove(csv);
    run.store.appendRow("b", 5, 1);
    await run.commit();
    assert.deepEqual(await run.lines("metric_log.csv"), [CSV_HEADER, "b,5,1,4"]);
    assert.deepEqual(run.logs.filter((r) => r.event === "metric log deleted").length, 1);
    // The id written into the deleted file stays written: no second row.
    assert.equal(run.store.recorded("a")?.yTrue, 3);
  });
});

Deno.test("MetricStore sets aside lines another writer appended, with their line numbers", async () => {
  await withStore(async (run) => {
    const csv = join(run.dir, "metric_log.csv");
    run.store.appendRow("a", 3, 1);
    await run.commit();
    await Deno.writeTextFile(csv, "hello\nx,1,2,1\ntorn", { append: true });
    run.store.appendRow("b", 5, 1);
    await run.commit();
    assert.deepEqual(await run.lines("metric_log.csv"), [CSV_HEADER, "a,3,1,2", "b,5,1,4"]);
    assert.deepEqual(await run.lines("metric_log.csv.rejected"), [
      "line,reason,content",
      '3,"expected 4 fields, got 1",hello',
      '4,appended by another writer,"x,1,2,1"',
      "5,torn: no line end,torn",
    ]);
    const set = run.logs.filter((r) => r.event === "metric log foreign lines set aside");
    assert.deepEqual(set.map((r) => r.lines), [[3, 4, 5]]);
  });
});

Deno.test("MetricStore recovers a metric log truncated or replaced while it runs", async (t) => {
  await withStore(async (run) => {
    const csv = join(run.dir, "metric_log.csv");
    run.store.appendRow("a", 3, 1);
    run.store.appendRow("b", 4, 1);
    await run.commit();
    await t.step("truncated in the middle of a row", async () => {
      const size = (await Deno.stat(csv)).size;
      await Deno.truncate(csv, size - 3);
      run.store.appendRow("c", 6, 1);
      await run.commit();
      assert.deepEqual(await run.lines("metric_log.csv"), [CSV_HEADER, "a,3,1,2", "c,6,1,5"]);
      assert.deepEqual(await run.lines("metric_log.csv.rejected"), [
        "line,reason,content",
        '3,torn: no line end,"b,4,1"',
      ]);
    });
    await t.step("replaced by another file: its rows are kept and remembered", async () => {
      const other = join(run.dir, "other.csv");
      await Deno.writeTextFile(other, `${CSV_HEADER}\nz,1,1,0\n`);
      await Deno.rename(other, csv);
      run.store.appendRow("d", 2, 1);
      await run.commit();
      assert.deepEqual(await run.lines("metric_log.csv"), [CSV_HEADER, "z,1,1,0", "d,2,1,1"]);
      assert.equal(run.store.recorded("z")?.yPred, 1);
      const events = run.logs.map((r) => r.event).filter((e) =>
        String(e).startsWith("metric log ")
      );
      assert.deepEqual(events, [
        "metric log opened",
        "metric log truncated",
        "metric log lines set aside",
        "metric log replaced",
      ]);
    });
  });
});

Deno.test("MetricStore compacts the journal to the halves still waiting", async () => {
  const waiting = [half("w1"), half("w2")];
  await withStore(async (run) => {
    for (const h of [half("d1"), half("d2"), half("d3"), ...waiting]) run.store.storeHalf(h);
    for (const id of ["d1", "d2", "d3"]) run.store.appendRow(id, 1, 2);
    await run.commit();
    assert.deepEqual(await run.lines("metric_halves.jsonl"), [
      '["y_true","w1",1,7]',
      '["y_true","w2",1,7]',
    ]);
    assert.equal(run.store.journalLines, 2);
    assert.equal(run.logs.filter((r) => r.event === "half journal compacted").length, 1);
    run.store.storeHalf(half("w3"));
    await run.commit();
    assert.equal((await run.lines("metric_halves.jsonl")).length, 3);
  }, { waiting, compactAfter: 3 });
});
