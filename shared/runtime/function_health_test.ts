import assert from "node:assert/strict";
import { FunctionHealth } from "./function_health.ts";

function clocked() {
  let time = 1_000_000;
  const health = new FunctionHealth({ timeoutMs: 60_000, now: () => time });
  return { health, advance: (ms: number) => time += ms };
}

Deno.test("FunctionHealth is ready once started, connected and not paused, and says why not", async (t) => {
  const { health } = clocked();
  await t.step("starting, then running", () => {
    assert.deepEqual(health.ready(), { ok: false, reason: "starting", finished: undefined });
    health.connection("connected");
    health.started();
    assert.deepEqual(health.ready(), { ok: true, finished: undefined });
  });
  await t.step("disconnected, then connected again", () => {
    health.connection("disconnected");
    assert.deepEqual(health.ready(), {
      ok: false,
      reason: "broker disconnected",
      finished: undefined,
    });
    health.connection("connected");
    assert.equal(health.ready().ok, true);
  });
  await t.step("paused with its reason, then resumed; live throughout", () => {
    health.paused("Cannot write the CSV: ENOSPC");
    assert.deepEqual(health.ready(), {
      ok: false,
      reason: "paused: Cannot write the CSV: ENOSPC",
      finished: undefined,
    });
    assert.equal(health.live().ok, true);
    health.paused(undefined);
    assert.equal(health.ready().ok, true);
  });
  await t.step("stopping", () => {
    health.stopping();
    assert.deepEqual(health.ready(), { ok: false, reason: "stopping", finished: undefined });
  });
});

Deno.test("FunctionHealth is wedged after the timeout with unsettled work, and live again on progress", async (t) => {
  const { health, advance } = clocked();
  health.connection("connected");
  health.started();
  await t.step("idle for ever is live", () => {
    advance(10 * 60_000);
    assert.deepEqual(health.live(), { ok: true, finished: undefined });
  });
  await t.step("two deliveries unsettled: live until the timeout, then wedged", () => {
    health.begin();
    health.begin();
    advance(59_999);
    assert.equal(health.live().ok, true);
    advance(1);
    assert.deepEqual(health.live(), {
      ok: false,
      reason: "no progress for 60 s with 2 unsettled and 0 failed in a row",
      finished: undefined,
    });
  });
  await t.step("one settles: live, and the clock starts again", () => {
    health.end(true);
    assert.equal(health.live().ok, true);
    advance(60_000);
    assert.equal(health.live().ok, false);
    health.end(true);
    assert.equal(health.live().ok, true);
  });
});

Deno.test("FunctionHealth is wedged by ticks failing in a row for the timeout, live again after one succeeds", () => {
  const { health, advance } = clocked();
  health.started();
  for (let i = 0; i < 6; i++) {
    health.begin();
    advance(15_000);
    health.end(false);
  }
  assert.deepEqual(health.live(), {
    ok: false,
    reason: "no progress for 90 s with 0 unsettled and 6 failed in a row",
    finished: undefined,
  });
  health.begin();
  health.end(true);
  assert.deepEqual(health.live(), { ok: true, finished: undefined });
});

Deno.test("FunctionHealth stops the clock while paused or disconnected", async (t) => {
  const { health, advance } = clocked();
  health.connection("connected");
  health.started();
  health.begin();
  await t.step("paused with a delivery held: live however long", () => {
    advance(30_000);
    health.paused("disk full");
    advance(10 * 60_000);
    assert.equal(health.live().ok, true);
  });
  await t.step("resumed: a full timeout again before wedged", () => {
    health.paused(undefined);
    advance(59_000);
    assert.equal(health.live().ok, true);
    advance(1_000);
    assert.equal(health.live().ok, false);
  });
  await t.step("disconnected: live; reconnected: the clock restarts", () => {
    health.connection("disconnected");
    assert.equal(health.live().ok, true);
    advance(120_000);
    health.connection("connected");
    assert.equal(health.live().ok, true);
    advance(60_000);
    assert.equal(health.live().ok, false);
  });
});

Deno.test("FunctionHealth keeps a finished source live and ready, and says so", () => {
  const { health, advance } = clocked();
  health.connection("connected");
  health.started();
  health.begin();
  health.end(true);
  health.finished();
  advance(60 * 60_000);
  assert.deepEqual(health.live(), { ok: true, finished: true });
  assert.deepEqual(health.ready(), { ok: true, finished: true });
});
