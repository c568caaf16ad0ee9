import assert from "node:assert/strict";
import { backoffDelay, delay } from "./backoff.ts";

Deno.test("backoffDelay() grows by the factor up to the cap, jittered in [cap/2, cap]", () => {
  const low = (attempt: number) => backoffDelay(attempt, { random: () => 0 });
  const high = (attempt: number) => backoffDelay(attempt, { random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 7, 20].map(low), [50, 100, 200, 400, 2500, 2500]);
  assert.deepEqual([1, 2, 3, 4, 7, 20].map(high), [100, 200, 400, 800, 5000, 5000]);
  assert.equal(backoffDelay(3, { initialMs: 2000, maxMs: 2000, random: () => 0.5 }), 1500);
});

Deno.test("backoffDelay() refuses an attempt below 1", () => {
  assert.throws(() => backoffDelay(0), RangeError);
  assert.throws(() => backoffDelay(1.5), RangeError);
});

Deno.test("delay() rejects with the abort reason and leaves no timer", async () => {
  const controller = new AbortController();
  const pending = delay(60_000, controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(pending, { message: "stop" });
  await delay(1);
});
