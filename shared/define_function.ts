/**
 * What a function module exports: the streams it consumes and publishes, its
 * settings, and what it does with one message or on each tick. It knows
 * nothing of AMQP. The runtime finds it by convention, as the default export of
 * `functions/<name>/mod.ts`; the folder's name is the function's name.
 *
 * A handler that returns means "done, ack"; a throw means "not done": the
 * message is retried, after a delay that grows, up to `MAX_ATTEMPTS`, or, for
 * a {@linkcode PermanentError}, dead-lettered at once.
 *
 * @module
 */
import type { Logger } from "./logger.ts";
import type { Stream, StreamData } from "./define_stream.ts";
import type { Settings, SettingValues } from "./settings.ts";

/** A decoded, schema-valid message of one stream. */
export interface Message<S extends Stream = Stream> {
  /** The name of the stream it came from. */
  readonly stream: S["name"];
  /** The observation id. */
  readonly id: string;
  /** Milliseconds since the epoch when the publisher created it. */
  readonly timestamp: number;
  /** The validated payload. */
  readonly data: StreamData<S>;
  /** 1 on the first delivery. */
  readonly attempt: number;
}

/** A message of any of the streams `S`, told apart by `stream`. */
export type MessageOf<S extends Stream> = S extends Stream ? Message<S> : never;

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

/** Label values of a function's own counter or gauge, `{ model: "forest" }` say. */
export type MetricLabels = Readonly<Record<string, string>>;

/** What the runtime gives a function that publishes `Out` and is configured by `Config`. */
export interface Context<Out extends Stream = Stream, Config = unknown> {
  /** The function's name. */
  readonly name: string;
  /** The function's own settings, resolved; nothing of the runtime's. */
  readonly config: Config;
  /** The function's logger. */
  readonly logger: Logger;
  /** Aborted when the function is asked to stop. */
  readonly signal: AbortSignal;
  /** Publishes to a declared stream; resolves once the broker confirmed it. */
  publish<S extends Out>(stream: S, id: string, data: StreamData<S>): Promise<void>;
  /**
   * A named counter of the function's own, `pipeline_<name>_total` on
   * `/metrics`; with `labels`, the series for those values (every call for one
   * name gives the same label names).
   */
  counter(name: string, help: string, labels?: MetricLabels): Counter;
  /** A named gauge of the function's own, `pipeline_<name>` on `/metrics`; `labels` as for counters. */
  gauge(name: string, help: string, labels?: MetricLabels): Gauge;
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

/**
 * What a function may touch besides the broker and its HTTP port: its sandbox.
 * The start command turns it into Deno's permission flags, so a directory
 * setting moved elsewhere moves its permission with it.
 */
export interface Sandbox<S extends Settings = Settings> {
  /** Settings whose values are directories the function reads. */
  readonly readDirs?: readonly (keyof S & string)[];
  /** Settings whose values are directories the function writes (and reads). */
  readonly writeDirs?: readonly (keyof S & string)[];
  /** Files or folders of npm packages it reads, as `npm-package/path` specifiers. */
  readonly readPackages?: readonly string[];
  /** Folders of npm packages whose native libraries it loads (FFI). */
  readonly ffiPackages?: readonly string[];
  /** Files outside the project it reads, by absolute path (a native library's loader may). */
  readonly readFiles?: readonly string[];
  /** Environment variables a library it loads reads, besides its settings'. */
  readonly env?: readonly string[];
}

/** What every kind of function declares. */
interface FunctionBase<Out extends Stream, S extends Settings, State> {
  /** The streams it publishes to; `ctx.publish` takes only these. */
  readonly publishes: readonly Out[];
  /** Its environment variables, by the name `ctx.config` gives them. @default {} */
  readonly settings?: S;
  /** What it may touch beyond the broker. @default nothing */
  readonly sandbox?: Sandbox<S>;
  /** Builds the function's state once, before any work starts. */
  setup(ctx: Context<Out, SettingValues<S>>): Promise<State> | State;
  /** Releases the state after work stopped. */
  close?(state: State, ctx: Context<Out, SettingValues<S>>): Promise<void> | void;
  /** GET routes of the function's own, served by the runtime's HTTP server. */
  routes?(state: State, ctx: Context<Out, SettingValues<S>>): Routes;
}

/** How the replicas of a consumer share its messages; see {@linkcode ConsumerFunction.replicas}. */
export type Replicas = "competing" | "single-active";

/** A function that consumes streams, message by message. */
export interface ConsumerFunction<
  In extends Stream = Stream,
  Out extends Stream = Stream,
  S extends Settings = Settings,
  State = unknown,
> extends FunctionBase<Out, S, State> {
  readonly kind: "consumer";
  /** The streams it consumes; `handle` receives only their messages. */
  readonly consumes: readonly In[];
  /**
   * How its replicas share the work. `"competing"`: one queue per stream,
   * `<stream>.<name>`, each message to one replica or another (scale out).
   * `"single-active"`: one queue, `<name>.in`, fed by all its streams, of
   * which one replica at a time receives everything while the others stand by
   * and the broker hands it to the next when the active one dies: for a
   * function whose state must see every message (a join) or that must be its
   * files' only writer.
   * @default "competing"
   */
  readonly replicas?: Replicas;
  /**
   * With single-active replicas: told that the connection to the broker was
   * lost, so another replica may be the active one by now and gets the
   * messages this one held unacked. Drop what only the active replica may
   * hold (open files, locks); the next delivery means it is active again.
   */
  deactivate?(state: State, ctx: Context<Out, SettingValues<S>>): Promise<void> | void;
  /** Handles one message; settles (ack) when the returned promise resolves. */
  handle(
    message: MessageOf<In>,
    state: State,
    ctx: Context<Out, SettingValues<S>>,
  ): Promise<void> | void;
}

/** What a tick says about the ticks after it. */
export type TickResult = "continue" | "done";

/** A function driven by a timer: a source or a periodic job. */
export interface TickFunction<
  Out extends Stream = Stream,
  S extends Settings = Settings,
  State = unknown,
> extends FunctionBase<Out, S, State> {
  readonly kind: "tick";
  /** The pause between the end of one tick and the start of the next. */
  intervalMs(config: SettingValues<S>): number;
  /**
   * How many ticks may run at once when the interval is 0 (a source publishing
   * as fast as the broker confirms).
   * @default 1
   */
  readonly concurrency?: number;
  /** One tick; "done" stops ticking while the process keeps serving health. */
  tick(state: State, ctx: Context<Out, SettingValues<S>>): Promise<TickResult> | TickResult;
}

/** Any function the runtime can start. */
// deno-lint-ignore no-explicit-any
export type PipelineFunction = ConsumerFunction<any, any, any, any> | TickFunction<any, any, any>;

/** Types a consumer function's definition (identity at run time). */
export function defineConsumer<
  In extends Stream,
  Out extends Stream = never,
  S extends Settings = Record<never, never>,
  State = void,
>(
  definition: Omit<ConsumerFunction<In, Out, S, State>, "kind">,
): ConsumerFunction<In, Out, S, State> {
  return { kind: "consumer", ...definition };
}

/** Types a timer-driven function's definition (identity at run time). */
export function defineTicker<
  Out extends Stream = never,
  S extends Settings = Record<never, never>,
  State = void,
>(definition: Omit<TickFunction<Out, S, State>, "kind">): TickFunction<Out, S, State> {
  return { kind: "tick", ...definition };
}
