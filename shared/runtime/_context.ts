/**
 * Builds the {@linkcode Context} a function receives: its publish goes through
 * the transport, waits for the broker's confirm and retries, with backoff, a
 * stream that has no queue yet, so a source started before its consumers
 * loses nothing, and a publish the broker refused (nack).
 *
 * @module
 */
import { backoffDelay, delay } from "./backoff.ts";
import { encodeMessage } from "./codec.ts";
import type { Context } from "../define_function.ts";
import type { Stream, StreamData } from "../define_stream.ts";
import { PipelineError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RuntimeMetrics } from "./runtime_metrics.ts";
import type { Transport } from "./transport.ts";

/** What {@linkcode createContext} needs. */
export interface ContextParts {
  readonly name: string;
  /** The function's own resolved settings. */
  readonly config: unknown;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** Absent for a function that neither consumes nor publishes. */
  readonly transport: Transport | undefined;
  readonly publishes: readonly Stream[];
  /** Called with the reason on pause, `undefined` on resume. */
  readonly onPause: (reason: string | undefined) => void;
}

/** Creates the context of one running function. */
export function createContext(parts: ContextParts): Context {
  const { name, config, logger, metrics, signal, now, transport, publishes, onPause } = parts;
  const declared = new Set(publishes.map((stream) => stream.name));
  async function publish<S extends Stream>(
    stream: S,
    id: string,
    data: StreamData<S>,
  ): Promise<void> {
    // The compiler already refuses an undeclared stream; this guards plain JavaScript.
    if (!declared.has(stream.name) || transport === undefined) {
      throw new TypeError(`Cannot publish to "${stream.name}": "${name}" does not declare it`);
    }
    const message = encodeMessage(id, data, now());
    for (let attempt = 1;; attempt++) {
      try {
        await transport.publish(stream.name, message);
        metrics.stream(stream.name).published.inc();
        return;
      } catch (error) {
        if (!(error instanceof PipelineError)) throw error;
        // Refused (a quorum queue between leaders nacks): not taken, so sent again.
        if (error.code !== "UNROUTABLE" && error.code !== "PUBLISH_REJECTED") throw error;
        if (attempt === 1 || attempt % 20 === 0) {
          const event = error.code === "UNROUTABLE"
            ? "stream has no queue yet, retrying"
            : "publish refused by the broker, retrying";
          logger.warn(event, { stream: stream.name, id, attempt });
        }
        await delay(backoffDelay(attempt, { initialMs: 50, maxMs: 2000 }), signal);
      }
    }
  }
  return {
    name,
    config,
    logger,
    signal,
    publish,
    now,
    counter: (counter, help, labels) => metrics.counter(counter, help, labels),
    gauge: (gauge, help, labels) => metrics.gauge(gauge, help, labels),
    pause: (reason) => onPause(reason),
    resume: () => onPause(undefined),
  };
}
