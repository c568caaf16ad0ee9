/**
 * A Context for tests: real config from `loadConfig`, a recording logger,
 * counters and gauges kept in maps, and an injected clock. No broker.
 *
 * @module
 */
import { loadConfig } from "../../shared/config.ts";
import type { Env } from "../../shared/config.ts";
import type { AnyMessage, Context } from "../../shared/define_function.ts";
import { createLogger } from "../../shared/logger.ts";
import type { LogFields } from "../../shared/logger.ts";

/** A Context plus what the function did through it. */
export interface FakeContext extends Context {
  /** Every log record, parsed. */
  readonly records: LogFields[];
  /** Counter totals by name. */
  readonly counters: Map<string, number>;
  /** Last gauge values by name. */
  readonly gauges: Map<string, number>;
}

/** Builds a fake Context whose config comes from `env` and whose time is `now`. */
export function fakeContext(env: Env, now: () => number): FakeContext {
  const records: LogFields[] = [];
  const counters = new Map<string, number>();
  const gauges = new Map<string, number>();
  return {
    name: "metrics",
    config: loadConfig(env),
    logger: createLogger("metrics", {
      level: "debug",
      now,
      write: (line) => records.push(JSON.parse(line)),
    }),
    signal: new AbortController().signal,
    publish: () => Promise.reject(new Error("Cannot publish: metrics publishes nothing")),
    counter: (name) => ({ inc: (by = 1) => counters.set(name, (counters.get(name) ?? 0) + by) }),
    gauge: (name) => ({ set: (value) => gauges.set(name, value) }),
    now,
    records,
    counters,
    gauges,
  };
}

/** A Y_true message. */
export function truth(id: string, yTrue: number, attempt = 1): AnyMessage {
  return { stream: "features/Y_true", id, timestamp: 0, data: { y_true: yTrue }, attempt };
}

/** A Y_pred message. */
export function prediction(id: string, yPred: number, attempt = 1): AnyMessage {
  return {
    stream: "predictions/Y_pred",
    id,
    timestamp: 0,
    data: { y_pred: yPred, model: { name: "linear", version: "1" } },
    attempt,
  };
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(promise: Promise<T>): { state: "pending" | "resolved" | "rejected" } {
  const tracked: { state: "pending" | "resolved" | "rejected" } = { state: "pending" };
  promise.then(() => tracked.state = "resolved", () => tracked.state = "rejected");
  return tracked;
}

/** Lets queued promise callbacks run; no timers involved. */
export async function drainMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
