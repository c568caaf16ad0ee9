import assert from "node:assert/strict";
import { PermanentError } from "../../shared/errors.ts";
import { loggedEvents } from "../../shared/testing/fake_context.ts";
import { prediction, rejection, track, truth } from "../_testing/metric_messages.ts";
import { closeRun, openRun, until } from "../_testing/metric_store_fixture.ts";
import { CSV_HEADER } from "./metric_store.ts";

const ROW_A = "a,151,140.25,10.75";

Deno.test("MetricsState.handle() acks a lone half once journaled and writes the pair once", async (t) => {
  const run = await openRun();
  try {
    await t.step("truth first: acked once in the journal, before any row", async () => {
      await run.commit(run.state.handle(truth("a", 151)));
      assert.deepEqual(await run.csv(), [CSV_HEADER]);
      assert.deepEqual(await run.lines("metric_halves.jsonl"), ['["y_true","a",151,1000000]']);
      run.state.report();
      assert.equal(run.ctx.gauges.get(`metrics_pending_y_true{model="linear"}`), 1);
      assert.equal(run.ctx.gauges.get(`metrics_pending_y_pred{model="linear"}`), 0);
    });
    await t.step("its prediction writes the row", async () => {
      await run.commit(run.state.handle(prediction("a", 140.25)));
      assert.deepEqual(await run.csv(), [CSV_HEADER, ROW_A]);
    });
    await t.step("prediction first works the same", async () => {
      await run.commit(run.state.handle(prediction("b", 2)));
      await run.commit(run.state.handle(truth("b", 5)));
      assert.deepEqual(await run.csv(), [CSV_HEADER, ROW_A, "b,5,2,3"]);
      assert.equal(run.ctx.counters.get(`metrics_rows{model="linear"}`), 2);
    });
    await t.step(
      "a redelivery is acked without a second row; another value is refused",
      async () => {
        await run.commit(run.state.handle(truth("b", 5)));
        await run.commit(run.state.handle(truth("c", 7)));
        await run.commit(run.state.handle(truth("c", 7)));
        const conflict = await rejection(run.state.handle(truth("c", 8)));
        assert.ok(conflict instanceof PermanentError);
        assert.equal(conflict.message, 'Conflicting y_true for id "c": kept "7", refused "8"');
        const written = await rejection(run.state.handle(prediction("b", 3)));
        assert.equal(
          (written as Error).message,
          'Conflicting y_pred for id "b": kept "2", refused "3"',
        );
        assert.equal(run.ctx.counters.get(`metrics_duplicates{model="linear"}`), 2);
        assert.equal(run.ctx.counters.get(`metrics_conflicts{model="linear"}`), 2);
        assert.deepEqual(await run.csv(), [CSV_HEADER, ROW_A, "b,5,2,3"]);
      },
    );
  } finally {
    await closeRun(run);
  }
});

Deno.test("openMetricsState() rebuilds the waiting halves from the journal", async () => {
  let run = await openRun();
  try {
    await run.commit(run.state.handle(truth("d", 1)));
    await run.commit(run.state.handle(prediction("e", 2)));
    await run.commit(run.state.handle(truth("f", 3)));
    await run.commit(run.state.handle(prediction("f", 4)));
    run = await run.restart();
    assert.equal(run.ctx.gauges.get(`metrics_pending{model="linear"}`), 2);
    assert.equal(run.ctx.gauges.get(`metrics_pending_y_true{model="linear"}`), 1);
    assert.equal(run.ctx.gauges.get(`metrics_pending_y_pred{model="linear"}`), 1);
    const rebuilt = run.ctx.logs.find((r) => r.event === "waiting halves rebuilt");
    assert.deepEqual([rebuilt?.journal, rebuilt?.waiting], [3, 2]);
    await run.commit(run.state.handle(prediction("d", 5)));
    await run.commit(run.state.handle(truth("e", 6)));
    assert.deepEqual(await run.csv(), [CSV_HEADER, "f,3,4,1", "d,1,5,4", "e,6,2,4"]);
  } finally {
    await closeRun(run);
  }
});

Deno.test("MetricsState moves a half older than the horizon to the orphans file, once", async () => {
  const run = await openRun({ METRICS_ORPHAN_AFTER_MS: "60000" });
  try {
    await run.commit(run.state.handle(truth("g", 1)));
    await run.clock.tickAsync(30_000);
    await run.commit(run.state.handle(prediction("h", 2)));
    run.state.report();
    assert.equal(run.ctx.gauges.get(`metrics_oldest_pending_ms{model="linear"}`), 30_020);
    await run.clock.tickAsync(31_000);
    await until("g orphaned", () => run.ctx.counters.get(`metrics_orphans{model="linear"}`) === 1);
    assert.deepEqual(await run.lines("metric_orphans.csv"), [
      "id,side,value,since,reason",
      "g,y_true,1,1000000,no partner within 60000 ms",
    ]);
    await run.clock.tickAsync(35_000);
    await until("h orphaned", () => run.ctx.counters.get(`metrics_orphans{model="linear"}`) === 2);
    assert.equal(loggedEvents(run.ctx).filter((e) => e === "warn halves orphaned").length, 2);
    run.state.report();
    assert.equal(run.ctx.gauges.get(`metrics_pending{model="linear"}`), 0);
    assert.equal(run.ctx.gauges.get(`metrics_oldest_pending_ms{model="linear"}`), 0);
    // A partner after the horizon waits anew: it is not a row.
    await run.commit(run.state.handle(prediction("g", 9)));
    assert.deepEqual(await run.csv(), [CSV_HEADER]);
  } finally {
    await closeRun(run);
  }
});

Deno.test("MetricsState orphans the oldest half beyond METRICS_PENDING_MAX", async () => {
  const run = await openRun({ METRICS_PENDING_MAX: "2" });
  try {
    for (const id of ["i", "j", "k"]) await run.commit(run.state.handle(truth(id, 1)));
    await until("i orphaned", () => run.ctx.counters.get(`metrics_orphans{model="linear"}`) === 1);
    assert.deepEqual((await run.lines("metric_orphans.csv")).slice(1), [
      "i,y_true,1,1000000,the waiting table is full (2 halves)",
    ]);
  } finally {
    await closeRun(run);
  }
});

Deno.test("MetricsState keeps messages unacked while the disk fails, pauses, then resumes", async () => {
  const run = await openRun();
  try {
    await run.commit(run.state.handle(truth("m", 10)));
    run.disk.full = true;
    const half = track(run.state.handle(truth("n", 1)));
    const pair = run.state.handle(prediction("m", 4));
    const row = track(pair);
    await run.clock.tickAsync(10);
    await until("paused", () => run.ctx.paused !== undefined);
    assert.match(
      run.ctx.paused!,
      /^Cannot write the metric log ".*metric_log.csv" or its journal: No space left on device \(os error 28\)$/,
    );
    // Its two intervals (status, sweep) and the retry's timer.
    const retrying = () => run.clock.countTimers() === 3;
    for (let i = 0; i < 5; i++) {
      await until(`retry ${i + 1} due`, retrying);
      await run.clock.tickAsync(1000);
      await until(`failure ${i + 2}`, () => run.disk.failures >= i + 2);
    }
    await until("retry 6 due", retrying);
    assert.deepEqual([half.state, row.state], ["pending", "pending"]);
    run.disk.full = false;
    await run.clock.tickAsync(1000);
    await pair;
    assert.equal(half.state, "resolved");
    assert.equal(run.ctx.paused, undefined);
    assert.deepEqual(await run.csv(), [CSV_HEADER, "m,10,4,6"]);
    assert.deepEqual(await run.lines("metric_halves.jsonl"), [
      '["y_true","m",10,1000000]',
      '["y_true","n",1,1000010]',
    ]);
    const events = loggedEvents(run.ctx);
    assert.equal(events.filter((e) => e === "error metric store write failed").length, 1);
    assert.equal(events.filter((e) => e === "info metric store writes again").length, 1);
  } finally {
    await closeRun(run);
  }
});

Deno.test("openMetricsState() pairs no half with a partner that came after it was an orphan", async () => {
  let run = await openRun({ METRICS_ORPHAN_AFTER_MS: "60000" });
  try {
    await run.commit(run.state.handle(truth("o", 1)));
    await run.clock.tickAsync(65_000);
    await until("o orphaned", () => run.ctx.counters.get(`metrics_orphans{model="linear"}`) === 1);
    await run.commit(run.state.handle(prediction("o", 2)));
    run = await run.restart();
    assert.deepEqual(await run.csv(), [CSV_HEADER]);
    assert.equal(run.ctx.gauges.get(`metrics_pending_y_pred{model="linear"}`), 1);
    assert.equal(run.ctx.gauges.get(`metrics_pending_y_true{model="linear"}`), 0);
  } finally {
    await closeRun(run);
  }
});
