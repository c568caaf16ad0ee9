/**
 * What a function module exports: what it consumes and publishes, and what it
 * does with one message or on each tick. It knows nothing of AMQP.
 *
 * A handler that returns means "done, ack"; a throw means "not done": the
 * message is retried up to `MAX_ATTEMPTS`, or, for a {@linkcode PermanentError},
 * dead-lettered at once.
 *
 * @module
 */
import type { Config } from "./runtime/config.ts";
import type { Logger } from "./logger.ts";
import type { StreamData, StreamName } from "../functions/_streams.ts";

/** A decoded, schema-valid message of one stream. */
export interface Message<S extends StreamName = StreamName> {
  /** The stream it came from. */
  readonly stream: S;
  /** The observation id. */
  readonly id: string;
  /** Milliseconds since the epoch when the publisher created it. */
  readonly timestamp: number;
  /** The validated payload. */
  readonly data: StreamData<S>;
  /** 1 on the first delivery. */
  readonly attempt: number;
}

/** Any message of the streams a function consumes. */
export type AnyMessage = { [S in StreamName]: Message<S> }[StreamName];

/** A counter a function may raise; shown on `/metrics`. */
export interface Counter {
  /** Adds `by` (default 1). */
  inc(by?: number): void;
}

/** A gauge a function may set; shown on `/metrics`. */
export interface Gauge {
  /** Sets the value. */
  set(value: number): void;
}

/** What the runtime gives a function. */
export interface Context {
  /** The function's name. */
  readonly name: string;
  /** The resolved configuration. */
  readonly config: Config;
  /** The function's logger. */
  readonly logger: Logger;
  /** Aborted when the function is asked to stop. */
  readonly signal: AbortSignal;
  /** Publishes to a stream; resolves once the broker confirmed it. */
  publish<S extends StreamName>(
    stream: S,
    id: string,
    data: StreamData<S>,
  ): Promise<void>;
  /** A named counter of the function's own, `pipeline_<name>_total` on `/metrics`. */
  counter(name: string, help: string): Counter;
  /** A named gauge of the function's own, `pipeline_<name>` on `/metrics`. */
  gauge(name: string, help: string): Gauge;
  /** Current time in milliseconds; injected so logic can be tested without sleeps. */
  now(): number;
  /**
   * Says the function cannot take work for now (its disk is full, say): it
   * reports not ready, with the reason, until {@linkcode Context.resume}.
   */
  pause(reason: string): void;
  /** Ends a {@linkcode Context.pause}. */
  resume(): void;
}

/** Answers one GET request to a route of the function's own. */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

/** Read-only HTTP routes a function serves beside `/healthz` and `/metrics`, by exact path. */
export type Routes = Readonly<Record<string, RouteHandler>>;

/** A function that consumes streams, message by message. */
export interface ConsumerFunction<State = unknown> {
  readonly kind: "consumer";
  /** Also the consumer group: replicas of one function share its queues. */
  readonly name: string;
  readonly consumes: readonly StreamName[];
  readonly publishes: readonly StreamName[];
  /** Builds the function's state once, before consuming starts. */
  setup(ctx: Context): Promise<State> | State;
  /** Handles one message; settles (ack) when the returned promise resolves. */
  handle(message: AnyMessage, state: State, ctx: Context): Promise<void> | void;
  /** Releases the state after consuming stopped and in-flight messages settled. */
  close?(state: State, ctx: Context): Promise<void> | void;
  /** GET routes of the function's own, served by the runtime's HTTP server. */
  routes?(state: State, ctx: Context): Routes;
}

/** What a tick says about the ticks after it. */
export type TickResult = "continue" | "done";

/** A function driven by a timer: a source or a periodic job. */
export interface TickFunction<State = unknown> {
  readonly kind: "tick";
  readonly name: string;
  readonly publishes: readonly StreamName[];
  /** The pause between the end of one tick and the start of the next. */
  intervalMs(config: Config): number;
  /**
   * How many ticks may run at once when the interval is 0 (a source publishing
   * as fast as the broker confirms).
   * @default 1
   */
  readonly concurrency?: number;
  /** Builds the function's state once, before the first tick. */
  setup(ctx: Context): Promise<State> | State;
  /** One tick; "done" stops ticking while the process keeps serving health. */
  tick(state: State, ctx: Context): Promise<TickResult> | TickResult;
  /** Releases the state after the last tick finished. */
  close?(state: State, ctx: Context): Promise<void> | void;
  /** GET routes of the function's own, served by the runtime's HTTP server. */
  routes?(state: State, ctx: Context): Routes;
}

/** Any function the runtime can start. */
// deno-lint-ignore no-explicit-any
export type PipelineFunction = ConsumerFunction<any> | TickFunction<any>;

/** Types a consumer function's definition (identity at run time). */
export function defineConsumer<State>(
  definition: Omit<ConsumerFunction<State>, "kind">,
): ConsumerFunction<State> {
  return { kind: "consumer", ...definition };
}

/** Types a timer-driven function's definition (identity at run time). */
export function defineTicker<State>(
  definition: Omit<TickFunction<State>, "kind">,
): TickFunction<State> {
  return { kind: "tick", ...definition };
}
