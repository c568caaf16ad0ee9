import assert from "node:assert/strict";
import { join } from "node:path";
import { PermanentError } from "../../shared/errors.ts";
import { type FakeContext, fakeContext } from "../../shared/testing/fake_context.ts";
import {
  drainMicrotasks,
  prediction,
  rejection,
  track,
  truth,
} from "../_testing/metric_messages.ts";
import { FakeClock } from "./_fake_clock.ts";
import { CSV_HEADER } from "./csv_log.ts";
import type { AppendFile } from "./csv_log.ts";
import { METRIC_LOG_FILE } from "../_metric_log.ts";
import { openMetricsState } from "./metrics_state.ts";
import type { MetricsState } from "./metrics_state.ts";
import { metricsSettings } from "./settings.ts";

const HEADER_LINE = CSV_HEADER + "\n";

interface Run {
  readonly state: MetricsState;
  readonly ctx: FakeContext;
  readonly clock: FakeClock;
  readonly path: string;
  readonly syncs: { count: number };
}

async function withState(
  fn: (run: Run) => Promise<void>,
  env: Record<string, string> = {},
  dir?: string,
): Promise<void> {
  const logsDir = dir ?? await Deno.makeTempDir({ prefix: "metrics_state_test_" });
  const clock = new FakeClock();
  const ctx = fakeContext(metricsSettings, {
    name: "metrics",
    env: {
      LOGS_DIR: logsDir,
      METRICS_FLUSH_MS: "5",
      METRICS_PENDING_TTL_MS: "1000",
      METRICS_PENDING_MAX: "3",
      ...env,
    },
    now: clock.now,
  });
  const syncs = { count: 0 };
  const openFile = async (path: string): Promise<AppendFile> => {
    const file = await Deno.open(path, { append: true });
    return {
      write: (data) => file.write(data),
      syncData: () => (syncs.count++, file.syncData()),
      truncate: (length) => file.truncate(length),
      close: () => file.close(),
    };
  };
  try {
    const state = await openMetricsState(ctx, { scheduler: clock, openFile, statusMs: 5000 });
    try {
      await fn({ state, ctx, clock, path: join(logsDir, METRIC_LOG_FILE), syncs });
    } finally {
      await state.close();
    }
  } finally {
    if (dir === undefined) await Deno.remove(logsDir, { recursive: true });
  }
}

/** Fires the flush timer and waits for the rows to be on disk. */
async function flush(run: Run, ...handled: Promise<void>[]): Promise<void> {
  run.clock.advance(5);
  await Promise.all(handled);
}

function events(ctx: FakeContext, event: string) {
  return ctx.logs.filter((record) => record.event === event);
}

Deno.test("MetricsState.handle() writes one row per pair in either order", async (t) => {
  await t.step("truth first, acked only once the row is synced", async () => {
    await withState(async (run) => {
      const halves = [run.state.handle(truth("a", 151)), run.state.handle(prediction("a", 150.5))];
      const tracked = halves.map(track);
      await drainMicrotasks();
      assert.deepEqual(tracked.map((x) => x.state), ["pending", "pending"]);
      assert.equal(await Deno.readTextFile(run.path), HEADER_LINE);
      await flush(run, ...halves);
      assert.equal(await Deno.readTextFile(run.path), HEADER_LINE + "a,151,150.5,0.5\n");
      assert.equal(run.syncs.count, 1);
      assert.equal(run.ctx.counters.get("metrics_rows"), 1);
    });
  });

  await t.step("prediction first", async () => {
    await withState(async (run) => {
      const first = run.state.handle(prediction("b", 0.1));
      run.clock.advance(500);
      const second = run.state.handle(truth("b", 0.3));
      await flush(run, first, second);
      assert.equal(
        await Deno.readTextFile(run.path),
        HEADER_LINE + "b,0.3,0.1,0.19999999999999998\n",
      );
    });
  });
});

Deno.test("MetricsState.handle() returns unpaired halves to the queue", async (t) => {
  await t.step("after the TTL", async () => {
    await withState(async (run) => {
      const waiting = run.state.handle(truth("a", 1));
      run.clock.advance(1000);
      const error = await rejection(waiting);
      assert.ok(error instanceof Error && !(error instanceof PermanentError));
      assert.equal(error.message, 'Cannot pair id "a": no y_pred arrived within 1000 ms');
      assert.equal(run.ctx.counters.get("metrics_evictions"), 1);
      assert.deepEqual(
        events(run.ctx, "pair evicted").map(({ level, id, reason }) => ({ level, id, reason })),
        [{ level: "warn", id: "a", reason: "ttl" }],
      );
    });
  });

  await t.step("the oldest when more than METRICS_PENDING_MAX wait", async () => {
    await withState(async (run) => {
      const halves = ["a", "b", "c", "d"].map((id) => run.state.handle(prediction(id, 1)));
      const error = await rejection(halves[0]!);
      assert.equal(
        (error as Error).message,
        'Cannot pair id "a": evicted as the oldest of 3 pending',
      );
      assert.equal(run.ctx.counters.get("metrics_evictions"), 1);
      const rest = halves.slice(1).map(track);
      await run.state.close();
      await drainMicrotasks();
      assert.deepEqual(rest.map((x) => x.state), ["rejected", "rejected", "rejected"]);
    });
  });
});

Deno.test("MetricsState.handle() writes a redelivered half once", async () => {
  await withState(async (run) => {
    const halves = [
      run.state.handle(truth("a", 2)),
      run.state.handle(truth("a", 2, 2)),
      run.state.handle(prediction("a", 3)),
    ];
    await flush(run, ...halves);
    assert.equal(await Deno.readTextFile(run.path), HEADER_LINE + "a,2,3,1\n");
  });
});

Deno.test("MetricsState.handle() dead-letters a conflicting half", async () => {
  await withState(async (run) => {
    const first = run.state.handle(truth("a", 2));
    const error = await rejection(run.state.handle(truth("a", 5)));
    assert.ok(error instanceof PermanentError);
    assert.equal(error.message, 'Conflicting y_true for id "a": kept "2", refused "5"');
    assert.equal(run.ctx.counters.get("metrics_conflicts"), 1);
    assert.deepEqual(events(run.ctx, "pair conflict").map(({ level, id }) => ({ level, id })), [
      { level: "warn", id: "a" },
    ]);
    await flush(run, first, run.state.handle(prediction("a", 1)));
    assert.equal(await Deno.readTextFile(run.path), HEADER_LINE + "a,2,1,1\n");
  });
});

Deno.test("MetricsState.handle() acks an id written before a restart without a row", async () => {
  const dir = await Deno.makeTempDir({ prefix: "metrics_state_test_" });
  try {
    await withState(
      async (run) => {
        await flush(run, run.state.handle(truth("a", 1)), run.state.handle(prediction("a", 4)));
      },
      {},
      dir,
    );
    await withState(
      async (run) => {
        // No timer fires: a duplicate must not wait for a flush.
        await run.state.handle(prediction("a", 4));
        await run.state.handle(truth("a", 1));
        assert.equal(run.ctx.counters.get("metrics_duplicates"), 2);
        assert.equal(run.syncs.count, 0);
        assert.equal(await Deno.readTextFile(run.path), HEADER_LINE + "a,1,4,3\n");
      },
      {},
      dir,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MetricsState.handle() dead-letters a half that disagrees with its written row, also after a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "metrics_state_test_" });
  try {
    for (const restart of [false, true]) {
      await withState(
        async (run) => {
          if (!restart) {
            await flush(run, run.state.handle(truth("a", 1)), run.state.handle(prediction("a", 4)));
          }
          const error = await rejection(run.state.handle(prediction("a", 7)));
          assert.ok(error instanceof PermanentError);
          assert.equal(error.message, 'Conflicting y_pred for id "a": kept "4", refused "7"');
          assert.equal(run.ctx.counters.get("metrics_conflicts"), 1);
          await run.state.handle(truth("a", 1));
          assert.equal(run.ctx.counters.get("metrics_duplicates"), 1);
          assert.equal(await Deno.readTextFile(run.path), HEADER_LINE + "a,1,4,3\n");
        },
        {},
        dir,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MetricsState.handle() dead-letters an id with a line break", async () => {
  await withState(async (run) => {
    await assert.rejects(run.state.handle(truth("a\r\nb", 1)), {
      name: "PermanentError",
      message: 'Cannot log id "a\\r\\nb": it is empty or has a line break',
    });
  });
});

Deno.test("MetricsState.report() logs the waiting state and sets the gauges", async () => {
  await withState(async (run) => {
    await flush(run, run.state.handle(truth("a", 1)), run.state.handle(prediction("a", 1)));
    const waiting = track(run.state.handle(truth("b", 1)));
    run.clock.advance(4994);
    assert.equal(events(run.ctx, "waiting").length, 0);
    run.clock.advance(1);
    assert.equal(waiting.state, "pending");
    const [status] = events(run.ctx, "waiting");
    assert.deepEqual(
      {
        level: status?.level,
        pending: status?.pending,
        oldestPendingMs: status?.oldestPendingMs,
        rowsWritten: status?.rowsWritten,
      },
      { level: "info", pending: 1, oldestPendingMs: 4995, rowsWritten: 1 },
    );
    assert.deepEqual(Object.fromEntries(run.ctx.gauges), {
      metrics_pending: 1,
      metrics_oldest_pending_ms: 4995,
      metrics_rows_written: 1,
    });
  }, { METRICS_PENDING_TTL_MS: "60000" });
});

Deno.test("MetricsState.close() writes paired rows, releases waiting halves, stops timers", async () => {
  await withState(async (run) => {
    const paired = [run.state.handle(truth("a", 1)), run.state.handle(prediction("a", 2))];
    // Awaited only after close: catch now so the rejection is never unhandled.
    const waiting = rejection(run.state.handle(prediction("b", 1)));
    const closing = run.state.close();
    assert.equal(run.state.close(), closing);
    await closing;
    await Promise.all(paired);
    const error = await waiting;
    assert.ok(!(error instanceof PermanentError));
    assert.equal((error as Error).message, 'Cannot pair id "b": the join is closing');
    assert.equal(run.clock.pendingTimers, 0);
    assert.equal(await Deno.readTextFile(run.path), HEADER_LINE + "a,1,2,1\n");
    assert.deepEqual(events(run.ctx, "pending released").map(({ pending }) => pending), [1]);
  });
});
