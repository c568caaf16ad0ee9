/**
 * What the metrics function's logic tests share: a temporary LOGS_DIR, a fake
 * clock (`@sinonjs/fake-timers`) for its timers, a disk that can be made to
 * fail, and a bounded wait for real file I/O to finish.
 *
 * @module
 */
import { createClock } from "@sinonjs/fake-timers";
import { join } from "node:path";
import type { AppendFile, OpenAppendFile } from "../metrics/_synced_file.ts";
import { type FakeContext, fakeContext } from "../../shared/testing/fake_context.ts";
import { openMetricsState } from "../metrics/metrics_state.ts";
import { metricsSettings } from "../metrics/settings.ts";
import type { MetricsState } from "../metrics/metrics_state.ts";

/** A clock whose timers run only when the test ticks it. */
export type TestClock = ReturnType<typeof createClock>;

/** A disk the test can fill: every write of a file opened through it fails while `full`. */
export interface TestDisk {
  full: boolean;
  /** Failed writes so far. */
  failures: number;
  readonly open: OpenAppendFile;
}

/** A disk over the real file system that fails writes with ENOSPC while `full`. */
export function testDisk(): TestDisk {
  const disk: TestDisk = {
    full: false,
    failures: 0,
    open: async (path) => {
      const file = await Deno.open(path, { write: true });
      const failing: AppendFile = {
        seek: (offset, whence) => file.seek(offset, whence),
        write: (data) => {
          if (!disk.full) return file.write(data);
          disk.failures++;
          return Promise.reject(
            Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" }),
          );
        },
        syncData: () => file.syncData(),
        truncate: (length) => file.truncate(length),
        stat: () => file.stat(),
        close: () => file.close(),
      };
      return failing;
    },
  };
  return disk;
}

/** One metrics state on a temporary LOGS_DIR, with its context, clock and disk. */
export interface MetricsRun {
  readonly dir: string;
  readonly ctx: FakeContext;
  readonly clock: TestClock;
  readonly disk: TestDisk;
  readonly state: MetricsState;
  /** The metric log's lines without the trailing empty one. */
  csv(): Promise<string[]>;
  /** Another file of LOGS_DIR, as lines. */
  lines(name: string): Promise<string[]>;
  /** Fires the flush timer, then waits for `promise`. */
  commit<T>(promise: Promise<T>): Promise<T>;
  /** Closes this state and opens a new one on the same directory and clock. */
  restart(): Promise<MetricsRun>;
}

/** Opens metrics on a new temporary directory (or `dir`) with `env` added. */
export async function openRun(
  env: Record<string, string> = {},
  reuse?: { dir: string; clock: TestClock },
): Promise<MetricsRun> {
  const dir = reuse?.dir ?? await Deno.makeTempDir({ prefix: "metrics_test_" });
  const clock = reuse?.clock ?? createClock(1_000_000);
  const ctx = fakeContext(metricsSettings, {
    name: "metrics",
    env: { LOGS_DIR: dir, ...env },
    now: () => clock.now,
  });
  const disk = testDisk();
  const state = await openMetricsState(ctx, {
    scheduler: clock,
    openFile: disk.open,
    retry: { initialMs: 100, maxMs: 1000 },
  });
  const lines = async (name: string) =>
    (await Deno.readTextFile(join(dir, name))).split("\n").slice(0, -1);
  const run: MetricsRun = {
    dir,
    ctx,
    clock,
    disk,
    state,
    csv: () => lines("metric_log.csv"),
    lines,
    async commit(promise) {
      await clock.tickAsync(10);
      return await promise;
    },
    async restart() {
      await state.close();
      return await openRun(env, { dir, clock });
    },
  };
  return run;
}

/** Closes the run's state and removes its directory. */
export async function closeRun(run: MetricsRun): Promise<void> {
  await run.state.close();
  await Deno.remove(run.dir, { recursive: true });
}

/** Yields to real I/O until `condition` holds; fails after `turns` turns. */
export async function until(what: string, condition: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`Cannot wait for ${what}: still false after ${turns} turns`);
}
