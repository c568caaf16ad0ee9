/**
 * A {@linkcode Context} without a broker, for testing a function's logic by
 * calling it directly: real config from `loadConfig`, a recording logger,
 * publishes, counters and gauges kept for assertions, and a clock the test
 * sets.
 *
 * @module
 */
import { type Env, loadConfig } from "../runtime/config.ts";
import type { Context } from "../define_function.ts";
import { createLogger } from "../logger.ts";
import type { StreamData, StreamName } from "../../functions/_streams.ts";

/** One call of `ctx.publish`. */
export interface Published {
  readonly stream: StreamName;
  readonly id: string;
  readonly data: unknown;
}

/** A Context plus what the function did through it. */
export interface FakeContext extends Context {
  /** Every log record, parsed, in order. */
  readonly logs: Record<string, unknown>[];
  /** Every confirmed publish, in order. */
  readonly published: Published[];
  /** Counter totals by name (0 once created). */
  readonly counters: Map<string, number>;
  /** Last gauge values by name. */
  readonly gauges: Map<string, number>;
  /** What `now()` returns unless a clock was given. */
  time: number;
  /** The reason of the current pause; `undefined` when not paused. */
  paused: string | undefined;
}

/** Options of {@linkcode fakeContext}. */
export interface FakeContextOptions {
  /** Environment for `loadConfig`. @default {} */
  env?: Env;
  /** The clock. @default reads the context's `time` field */
  now?: () => number;
  /** Stands in for the broker's confirm. @default resolves at once */
  publish?: (stream: StreamName, id: string) => Promise<void>;
  /** @default a signal never aborted */
  signal?: AbortSignal;
}

/** Builds a fake Context for the function `name`. */
export function fakeContext(name: string, options: FakeContextOptions = {}): FakeContext {
  const confirm = options.publish ?? (() => Promise.resolve());
  const now = options.now ?? (() => ctx.time);
  const ctx: FakeContext = {
    name,
    config: loadConfig(options.env ?? {}),
    logger: createLogger(name, {
      level: "debug",
      now,
      write: (line) => ctx.logs.push(JSON.parse(line)),
    }),
    signal: options.signal ?? new AbortController().signal,
    async publish<S extends StreamName>(stream: S, id: string, data: StreamData<S>) {
      await confirm(stream, id);
      ctx.published.push({ stream, id, data });
    },
    counter(counter) {
      if (!ctx.counters.has(counter)) ctx.counters.set(counter, 0);
      return { inc: (by = 1) => ctx.counters.set(counter, ctx.counters.get(counter)! + by) };
    },
    gauge: (gauge) => ({ set: (value) => ctx.gauges.set(gauge, value) }),
    now,
    pause: (reason) => void (ctx.paused = reason),
    resume: () => void (ctx.paused = undefined),
    paused: undefined,
    time: 0,
    logs: [],
    published: [],
    counters: new Map(),
    gauges: new Map(),
  };
  return ctx;
}

/** The events logged so far as `"<level> <event>"`, in order. */
export function loggedEvents(ctx: FakeContext): string[] {
  return ctx.logs.map((log) => `${log.level} ${log.event}`);
}
