import assert from "node:assert/strict";
import { WaitingHalves } from "./waiting_halves.ts";

Deno.test("WaitingHalves counts each side and gives up the oldest first", () => {
  const waiting = new WaitingHalves();
  waiting.add({ id: "a", side: "y_true", value: 1, since: 100 });
  waiting.add({ id: "b", side: "y_pred", value: 2, since: 200 });
  waiting.add({ id: "c", side: "y_true", value: 3, since: 300, stamp: 250 });
  waiting.add({ id: "a", side: "y_pred", value: 9, since: 400 });
  assert.deepEqual([waiting.size, waiting.count("y_true"), waiting.count("y_pred")], [3, 2, 1]);
  assert.equal(waiting.oldestAgeMs(1100), 1000);
  assert.deepEqual(waiting.get("c"), { id: "c", side: "y_true", value: 3, since: 300, stamp: 250 });
  assert.deepEqual(waiting.takeSince(200).map((h) => h.id), ["a", "b"]);
  assert.deepEqual([waiting.size, waiting.count("y_true"), waiting.count("y_pred")], [1, 1, 0]);
  assert.deepEqual(waiting.take("c")?.value, 3);
  assert.equal(waiting.take("c"), undefined);
  assert.equal(waiting.oldestAgeMs(1100), 0);
});
