/**
 * Drives a timer-driven function: one tick after another with the function's
 * interval between them, or several at once when the interval is 0.
 *
 * @module
 */
import { backoffDelay, delay } from "./backoff.ts";
import type { Context, TickFunction } from "../define_function.ts";
import type { FunctionHealth } from "./function_health.ts";
import type { Logger } from "../logger.ts";
import type { RuntimeMetrics } from "./runtime_metrics.ts";

/** What {@linkcode runTicks} needs. */
export interface TickParts {
  // deno-lint-ignore no-explicit-any
  readonly fn: TickFunction<any, any, any>;
  readonly state: unknown;
  // deno-lint-ignore no-explicit-any
  readonly ctx: Context<any, any>;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  /** Told when each tick starts and ends, and when ticking is done. */
  readonly health?: FunctionHealth;
}

/** Ticks until a tick says "done" or the context's signal aborts; never rejects. */
export async function runTicks(parts: TickParts): Promise<void> {
  const { fn, ctx } = parts;
  const intervalMs = fn.intervalMs(ctx.config);
  const workers = intervalMs === 0 ? Math.max(1, fn.concurrency ?? 1) : 1;
  const finished = new AbortController();
  const stop = AbortSignal.any([ctx.signal, finished.signal]);
  await Promise.all(
    Array.from({ length: workers }, () => worker(parts, intervalMs, stop, finished)),
  );
}

async function worker(
  { fn, state, ctx, logger, metrics, health }: TickParts,
  intervalMs: number,
  stop: AbortSignal,
  finished: AbortController,
): Promise<void> {
  let failures = 0;
  while (!stop.aborted) {
    health?.begin();
    try {
      const result = await fn.tick(state, ctx);
      health?.end(true);
      failures = 0;
      metrics.ticks.inc({ result });
      if (result === "done") {
        if (!finished.signal.aborted) logger.info("ticks done");
        health?.finished();
        finished.abort();
        return;
      }
      if (intervalMs > 0) await delay(intervalMs, stop);
    } catch (error) {
      health?.end(false);
      if (stop.aborted) return;
      failures++;
      metrics.ticks.inc({ result: "failed" });
      logger.error("tick failed", { error, failures });
      await delay(Math.max(intervalMs, backoffDelay(failures)), stop).catch(() => {});
    }
  }
}
