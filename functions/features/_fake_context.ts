import type { Config, Env } from "../../shared/config.ts";
import { loadConfig } from "../../shared/config.ts";
import type { Context } from "../../shared/define_function.ts";
import { createLogger } from "../../shared/logger.ts";
import type { StreamData, StreamName } from "../../shared/streams.ts";

/** One call of `ctx.publish`. */
export interface Published {
  readonly stream: StreamName;
  readonly id: string;
  readonly data: unknown;
}

/** A Context without a broker that records what the function does. */
export interface FakeContext extends Context {
  /** Every publish, in call order. */
  readonly published: Published[];
  /** Every log line, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Counter values by name. */
  readonly counters: Map<string, number>;
}

/** Options of {@linkcode fakeContext}. */
export interface FakeContextOptions {
  /** Environment for `loadConfig`. @default {} */
  env?: Env;
  /** Stands in for the broker's confirm. @default resolves at once */
  publish?: (stream: StreamName, id: string) => Promise<void>;
  /** @default a signal never aborted */
  signal?: AbortSignal;
}

/** Builds a fake Context for logic tests of one function. */
export function fakeContext(name: string, options: FakeContextOptions = {}): FakeContext {
  const config: Config = loadConfig(options.env ?? {});
  const published: Published[] = [];
  const logs: Record<string, unknown>[] = [];
  const counters = new Map<string, number>();
  const confirm = options.publish ?? (() => Promise.resolve());
  return {
    name,
    config,
    logger: createLogger(name, {
      level: "debug",
      write: (line) => logs.push(JSON.parse(line)),
      now: () => 0,
    }),
    signal: options.signal ?? new AbortController().signal,
    async publish<S extends StreamName>(stream: S, id: string, data: StreamData<S>) {
      await confirm(stream, id);
      published.push({ stream, id, data });
    },
    counter: (counterName) => {
      counters.set(counterName, 0);
      return { inc: (by = 1) => counters.set(counterName, counters.get(counterName)! + by) };
    },
    gauge: () => ({ set: () => {} }),
    now: () => 0,
    published,
    logs,
    counters,
  };
}
