/**
 * The runtime: starts one function, owns its transport, subscriptions, ticks,
 * health and metrics, and stops it cleanly.
 *
 * @module
 */
import { consumeDelivery } from "./_consume.ts";
import { subscribeConsumer } from "./_subscribe.ts";
import { createContext } from "./_context.ts";
import { runTicks } from "./_tick_loop.ts";
import { delay } from "./backoff.ts";
import type { Config } from "./config.ts";
import type { LoadedFunction } from "./load_function.ts";
import type { Context, RouteHandler } from "../define_function.ts";
import type { Stream } from "../define_stream.ts";
import { FunctionHealth } from "./function_health.ts";
import { type HealthServer, serveHealth } from "./health_server.ts";
import { createLogger, type Logger } from "../logger.ts";
import { RuntimeMetrics } from "./runtime_metrics.ts";
import type { Delivery, Subscription, Transport, TransportEvents } from "./transport.ts";

/** Opens a transport that reports to the given events, for a function using these streams. */
export type Connect = (
  events: TransportEvents,
  streams: readonly string[],
) => Transport | Promise<Transport>;

/** Options of {@linkcode runFunction}. */
export interface RunFunctionOptions {
  /** Opens the transport; required when the function consumes or publishes. */
  connect?: Connect;
  /** @default a JSON-lines logger named after the function */
  logger?: Logger;
  /** Clock handed to the function. @default Date.now */
  now?: () => number;
}

/** A running function. */
export interface FunctionRunner {
  readonly metrics: RuntimeMetrics;
  /** The port `/healthz` and `/metrics` answer on. */
  readonly httpPort: number;
  /** True while connected and consuming (or ticking), and not paused. */
  ready(): boolean;
  /** Resolves after close(); rejects when the transport gave up for good. */
  readonly done: Promise<void>;
  /** Stops consuming, lets in-flight work finish, cleans up; same promise each call. */
  close(): Promise<void>;
}

/**
 * Starts a function; resolves once it consumes (or ticks). The HTTP port is
 * bound first: a busy port fails the start before any message is touched.
 */
export async function runFunction(
  loaded: LoadedFunction,
  config: Config,
  options: RunFunctionOptions = {},
): Promise<FunctionRunner> {
  const logger = options.logger ?? createLogger(loaded.name, { level: config.logLevel });
  const metrics = new RuntimeMetrics(loaded.name);
  const health = new FunctionHealth({
    timeoutMs: config.livenessTimeoutMs,
    now: options.now ?? Date.now,
  });
  const routes: Record<string, RouteHandler> = {};
  const server = await serveHealth({
    live: () => health.live(),
    ready: () => health.ready(),
    registry: metrics.registry,
    routes,
  }, { hostname: config.httpHost, port: config.httpPort, logger });
  try {
    return await startFunction(loaded, config, options, {
      logger,
      metrics,
      health,
      routes,
      server,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
}

interface Started {
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly health: FunctionHealth;
  readonly routes: Record<string, RouteHandler>;
  readonly server: HealthServer;
}

async function startFunction(
  loaded: LoadedFunction,
  config: Config,
  options: RunFunctionOptions,
  { logger, metrics, health, routes, server }: Started,
): Promise<FunctionRunner> {
  const { name, definition: fn } = loaded;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const subscriptions: Subscription[] = [];
  let pausedReason: string | undefined;
  let fatal: (error: Error) => void = () => {};
  let stopped: () => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    fatal = reject;
    stopped = resolve;
  });
  done.catch(() => {});

  // Set once the state exists: a single-active function drops what it holds.
  let connectionLost = () => {};
  const usesBroker = fn.publishes.length > 0 || fn.kind === "consumer";
  const transport = usesBroker ? await openTransport() : undefined;
  if (transport?.state === "connected") health.connection("connected");
  // The function's own types were checked where it was defined; here it is any function.
  // deno-lint-ignore no-explicit-any
  const ctx: Context<any, any> = createContext({
    name,
    config: loaded.settings,
    logger,
    metrics,
    signal: stopping.signal,
    now: options.now ?? Date.now,
    transport,
    publishes: fn.publishes,
    onPause: (reason) => {
      if (reason !== pausedReason) {
        logger.warn(reason ? "function paused" : "function resumed", { reason });
      }
      pausedReason = reason;
      health.paused(reason);
    },
  });
  const state = await fn.setup(ctx);
  Object.assign(routes, fn.routes?.(state, ctx));
  if (fn.kind === "consumer" && fn.replicas === "single-active" && fn.deactivate !== undefined) {
    const deactivate = fn.deactivate.bind(fn);
    connectionLost = () => {
      Promise.resolve().then(() => deactivate(state, ctx)).catch((error) => {
        logger.error("function deactivate failed", { error });
      });
    };
  }
  let ticking: Promise<void> = Promise.resolve();
  if (fn.kind === "consumer") {
    const parts = {
      fn,
      state,
      ctx,
      logger,
      metrics,
      retry: config,
      maxMessageBytes: config.maxMessageBytes,
      signal: stopping.signal,
    };
    // Deployments of one function with different groups each get every message.
    const group = config.consumerGroup ?? name;
    const deliver = (stream: Stream, delivery: Delivery) => {
      health.begin();
      const work = consumeDelivery(stream, delivery, parts);
      inFlight.add(work);
      work.finally(() => {
        inFlight.delete(work);
        health.end(true);
      });
    };
    subscriptions.push(
      ...await subscribeConsumer(transport!, group, fn, deliver, {
        prefetch: config.prefetch,
        logger,
      }),
    );
  } else {
    ticking = runTicks({ fn, state, ctx, logger, metrics, health });
  }
  health.started();
  logger.info("function started", {
    kind: fn.kind,
    ...(fn.kind === "consumer" ? { group: config.consumerGroup ?? name } : {}),
    broker: config.amqpUrls === undefined ? "embedded" : "rabbitmq",
    httpPort: server.port,
  });

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    stopping.abort(new Error("Function is stopping"));
    health.stopping();
    const steps: [string, () => Promise<unknown> | unknown][] = [
      ["cancel subscriptions", () => Promise.all(subscriptions.map((s) => s.cancel()))],
      ["finish in-flight work", () => drain()],
      ["close function", () => fn.close?.(state, ctx)],
      ["close transport", () => transport?.close()],
      ["close health server", () => server.close()],
    ];
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (error) {
        logger.error("shutdown step failed", { step, error });
      }
    }
    logger.info("function stopped");
    stopped();
  }

  async function drain(): Promise<void> {
    const timeout = new AbortController();
    const work = Promise.all([ticking, ...inFlight]);
    const timedOut = delay(config.shutdownTimeoutMs, timeout.signal).then(() => true, () => false);
    if (await Promise.race([work.then(() => false), timedOut])) {
      logger.warn("in-flight work still running at shutdown", { messages: inFlight.size });
    }
    timeout.abort();
  }

  async function openTransport(): Promise<Transport> {
    if (options.connect === undefined) {
      throw new TypeError(`Cannot start "${name}": it needs a broker and no connect was given`);
    }
    const streams = [...(fn.kind === "consumer" ? fn.consumes : []), ...fn.publishes]
      .map((stream) => stream.name);
    return await options.connect({
      state: (next) => {
        if (next === "disconnected") connectionLost();
        health.connection(next);
        metrics.connected.set(next === "connected" ? 1 : 0);
        if (next !== "connected" && !stopping.signal.aborted) {
          logger.warn("broker connection state", { state: next });
        }
      },
      reconnect: () => {
        metrics.reconnects.inc();
        logger.info("broker connection recovered");
      },
      fatal: (error) => {
        logger.error("broker connection lost for good", { error });
        fatal(error);
      },
    }, streams);
  }

  if (transport?.state === "connected") metrics.connected.set(1);
  return {
    metrics,
    httpPort: server.port,
    ready: () => health.ready().ok,
    done,
    close: () => closing ??= close(),
  };
}
