/**
 * A Context without a broker for the plot function's tests: it records logs
 * and counters, and its clock is a field the test sets.
 *
 * @module
 */
import { type Env, loadConfig } from "../../shared/config.ts";
import type { Context } from "../../shared/define_function.ts";
import { createLogger } from "../../shared/logger.ts";

/** A Context that records what the function does. */
export interface FakeContext extends Context {
  /** Every log line, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Counter values by name. */
  readonly counters: Map<string, number>;
  /** What `now()` returns. */
  time: number;
}

/** Builds a fake Context whose configuration comes from `env`. */
export function fakeContext(env: Env): FakeContext {
  const logs: Record<string, unknown>[] = [];
  const counters = new Map<string, number>();
  const ctx: FakeContext = {
    name: "plot",
    config: loadConfig(env),
    logger: createLogger("plot", { level: "debug", write: (line) => logs.push(JSON.parse(line)) }),
    signal: new AbortController().signal,
    publish: () =>
      Promise.reject(new TypeError("Cannot publish: the plot function publishes nothing")),
    counter: (name) => {
      counters.set(name, 0);
      return { inc: (by = 1) => counters.set(name, counters.get(name)! + by) };
    },
    gauge: () => ({ set: () => {} }),
    now: () => ctx.time,
    time: 0,
    logs,
    counters,
  };
  return ctx;
}

/** The events logged, in order, without time and fields. */
export function events(ctx: FakeContext): string[] {
  return ctx.logs.map((log) => `${log.level} ${log.event}`);
}
