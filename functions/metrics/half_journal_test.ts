import assert from "node:assert/strict";
import { join } from "node:path";
import { createLogger } from "../../shared/logger.ts";
import { compactHalfJournal, encodeHalves, loadHalfJournal } from "./half_journal.ts";

Deno.test("loadHalfJournal() reads back what encodeHalves() wrote and cuts a torn last line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "half_journal_test_" });
  const path = join(dir, "metric_halves.jsonl");
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger("metrics", { write: (line) => logs.push(JSON.parse(line)) });
  try {
    assert.deepEqual(await loadHalfJournal(path, logger), []);
    const halves = [
      { id: "a", side: "y_true" as const, value: 1.5, since: 10 },
      { id: 'b,"c', side: "y_pred" as const, value: -2, since: 11 },
    ];
    await Deno.writeFile(path, encodeHalves(halves));
    await Deno.writeTextFile(path, 'nonsense\n["y_true","d"', { append: true });
    assert.deepEqual(await loadHalfJournal(path, logger), halves);
    assert.equal(
      await Deno.readTextFile(path),
      new TextDecoder().decode(encodeHalves(halves)) + "nonsense\n",
    );
    assert.deepEqual(
      logs.filter((r) => r.event === "half journal lines skipped").map((r) => [r.skipped, r.torn]),
      [[1, true]],
    );
    await compactHalfJournal(path, [halves.slice(1)]);
    assert.deepEqual(await loadHalfJournal(path, logger), halves.slice(1));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
