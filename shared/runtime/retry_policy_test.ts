import assert from "node:assert/strict";
import { PermanentError } from "../errors.ts";
import { attemptOf, decideFailure, MAX_RETRY_DELAY_MS, retryHeaders } from "./retry_policy.ts";
import { ATTEMPT_HEADER } from "./transport.ts";

const policy = { maxAttempts: 4, retryDelayMs: 100 };

Deno.test("decideFailure() retries with a delay that doubles, then gives up", async (t) => {
  await t.step("the delay lies in [cap/2, cap] and the cap doubles per attempt", () => {
    const caps = [1, 2, 3].map((attempt) => [
      decideFailure(new Error("boom"), attempt, policy, () => 0),
      decideFailure(new Error("boom"), attempt, policy, () => 0.999999),
    ]);
    assert.deepEqual(caps.map(([low]) => low), [
      { action: "retry", delayMs: 50, reason: "boom" },
      { action: "retry", delayMs: 100, reason: "boom" },
      { action: "retry", delayMs: 200, reason: "boom" },
    ]);
    assert.deepEqual(caps.map(([, high]) => high?.action === "retry" && high.delayMs), [
      100,
      200,
      400,
    ]);
  });
  await t.step("the last attempt is dead-lettered as exhausted, with the attempts", () => {
    assert.deepEqual(decideFailure(new Error("boom"), 4, policy), {
      action: "dead-letter",
      kind: "exhausted",
      reason: "Gave up after 4 attempts: boom",
    });
  });
  await t.step("a permanent failure is dead-lettered at once", () => {
    assert.deepEqual(decideFailure(new PermanentError("Cannot predict: no"), 1, policy), {
      action: "dead-letter",
      kind: "permanent",
      reason: "Cannot predict: no",
    });
  });
  await t.step("the delay never exceeds the cap; 0 means at once", () => {
    const late = decideFailure("x", 40, { maxAttempts: 100, retryDelayMs: 100 }, () => 0.999999);
    assert.ok(late.action === "retry" && late.delayMs === MAX_RETRY_DELAY_MS);
    assert.deepEqual(decideFailure("x", 1, { maxAttempts: 3, retryDelayMs: 0 }), {
      action: "retry",
      delayMs: 0,
      reason: "x",
    });
  });
});

Deno.test("attemptOf() reads the carried attempt and counts a broker redelivery", () => {
  assert.equal(attemptOf({}, false), 1);
  assert.equal(attemptOf({}, true), 2);
  assert.equal(attemptOf({ [ATTEMPT_HEADER]: 3 }, false), 3);
  assert.equal(attemptOf({ [ATTEMPT_HEADER]: "3" }, true), 4);
  for (const bad of [0, -1, 1.5, "x", null]) {
    assert.equal(attemptOf({ [ATTEMPT_HEADER]: bad }, false), 1);
  }
  assert.deepEqual(retryHeaders(3), { [ATTEMPT_HEADER]: 4 });
});
