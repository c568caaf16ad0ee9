/**
 * A {@linkcode Context} without a broker, for testing a function's logic by
 * calling it directly: its settings read from an environment the test gives,
 * a recording logger, publishes, counters and gauges kept for assertions,
 * and a clock the test sets.
 *
 * @module
 */
import type { Context, MetricLabels } from "../define_function.ts";
import type { Stream, StreamData } from "../define_stream.ts";
import { createLogger } from "../logger.ts";
import { type Env, readSettings, type Settings, type SettingValues } from "../settings.ts";

/** One call of `ctx.publish`. */
export interface Published {
  /** The stream's name. */
  readonly stream: string;
  readonly id: string;
  readonly data: unknown;
}

/** A Context plus what the function did through it. */
export interface FakeContext<Config = unknown> extends Context<Stream, Config> {
  /** Every log record, parsed, in order. */
  readonly logs: Record<string, unknown>[];
  /** Every confirmed publish, in order. */
  readonly published: Published[];
  /** Counter totals by name, `name{label="value"}` for a labelled one (0 once created). */
  readonly counters: Map<string, number>;
  /** Last gauge values by name, keyed as counters are. */
  readonly gauges: Map<string, number>;
  /** What `now()` returns unless a clock was given. */
  time: number;
  /** The reason of the current pause; `undefined` when not paused. */
  paused: string | undefined;
}

/** Options of {@linkcode fakeContext}. */
export interface FakeContextOptions {
  /** The function's name. @default "test" */
  name?: string;
  /** The environment the settings are read from. @default {} */
  env?: Env;
  /** The clock. @default reads the context's `time` field */
  now?: () => number;
  /** Stands in for the broker's confirm. @default resolves at once */
  publish?: (stream: string, id: string) => Promise<void>;
  /** @default a signal never aborted */
  signal?: AbortSignal;
}

/** Builds a fake Context for a function with these settings. */
export function fakeContext<S extends Settings>(
  settings: S,
  options: FakeContextOptions = {},
): FakeContext<SettingValues<S>> {
  const name = options.name ?? "test";
  const confirm = options.publish ?? (() => Promise.resolve());
  const now = options.now ?? (() => ctx.time);
  const ctx: FakeContext<SettingValues<S>> = {
    name,
    config: readSettings(settings, options.env ?? {}),
    logger: createLogger(name, {
      level: "debug",
      now,
      write: (line) => ctx.logs.push(JSON.parse(line)),
    }),
    signal: options.signal ?? new AbortController().signal,
    async publish<T extends Stream>(stream: T, id: string, data: StreamData<T>) {
      await confirm(stream.name, id);
      ctx.published.push({ stream: stream.name, id, data });
    },
    counter(name, _help, labels) {
      const key = seriesKey(name, labels);
      if (!ctx.counters.has(key)) ctx.counters.set(key, 0);
      return { inc: (by = 1) => ctx.counters.set(key, ctx.counters.get(key)! + by) };
    },
    gauge: (name, _help, labels) => ({
      set: (value) => ctx.gauges.set(seriesKey(name, labels), value),
    }),
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

// Prometheus's own notation: `rows{model="forest"}`.
function seriesKey(name: string, labels: MetricLabels | undefined): string {
  if (labels === undefined) return name;
  const pairs = Object.entries(labels).map(([label, value]) => `${label}=${JSON.stringify(value)}`);
  return `${name}{${pairs.join(",")}}`;
}

/** The events logged so far as `"<level> <event>"`, in order. */
export function loggedEvents(ctx: FakeContext): string[] {
  return ctx.logs.map((log) => `${log.level} ${log.event}`);
}
