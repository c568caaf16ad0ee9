/**
 * One delivery's way through the runtime: decode and validate, hand to the
 * handler, then ack, retry after a delay or dead-letter, as the retry policy
 * decides. Nothing thrown here escapes: a bad message never stops the function.
 *
 * @module
 */
import { decodeDelivery, oversizedReason } from "./codec.ts";
import type { ConsumerFunction, Context, Message } from "../define_function.ts";
import type { Stream } from "../define_stream.ts";
import type { Logger } from "../logger.ts";
import { delay } from "./backoff.ts";
import { decideFailure, reasonOf, type RetryPolicy } from "./retry_policy.ts";
import type { RuntimeMetrics } from "./runtime_metrics.ts";
import type { Delivery } from "./transport.ts";

/** What {@linkcode consumeDelivery} needs. */
export interface ConsumeParts {
  // deno-lint-ignore no-explicit-any
  readonly fn: ConsumerFunction<any, any, any, any>;
  readonly state: unknown;
  // deno-lint-ignore no-explicit-any
  readonly ctx: Context<any, any>;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly retry: RetryPolicy;
  readonly maxMessageBytes: number;
  /** Aborts when the function stops: a retry waiting out its delay goes at once. */
  readonly signal: AbortSignal;
}

/** Handles one delivery of `stream` to its end; never rejects. */
export async function consumeDelivery(
  stream: Stream,
  delivery: Delivery,
  parts: ConsumeParts,
): Promise<void> {
  const { fn, state, ctx, logger, metrics } = parts;
  const name = stream.name;
  const instruments = metrics.stream(name);
  // A plain number, not prom-client's startTimer closure: a consumer may hold
  // many deliveries at once, and each closure costs memory (bench stage 6).
  const started = performance.now();
  const bytes = delivery.body.byteLength;
  if (bytes > parts.maxMessageBytes) {
    // Refused unread, and dead-lettered by the broker itself: the body is
    // neither decoded nor copied, so it is garbage as soon as this returns.
    const reason = oversizedReason(name, bytes);
    logger.warn("message dead-lettered", {
      stream: name,
      messageId: delivery.messageId,
      kind: "invalid",
      reason,
      maxBytes: parts.maxMessageBytes,
    });
    metrics.deadLettered.inc({ stream: name, kind: "invalid" });
    await settle(delivery.reject(reason), logger, name);
    return;
  }
  let message: Message;
  try {
    message = decodeDelivery(stream, delivery, { maxBytes: parts.maxMessageBytes });
  } catch (error) {
    const reason = reasonOf(error);
    logger.warn("message dead-lettered", {
      stream: name,
      messageId: delivery.messageId,
      kind: "invalid",
      reason,
    });
    metrics.deadLettered.inc({ stream: name, kind: "invalid" });
    await settle(delivery.deadLetter(reason), logger, name);
    return;
  }
  try {
    await fn.handle(message, state, ctx);
    delivery.ack();
    instruments.consumed.inc();
  } catch (error) {
    instruments.failed.inc();
    await fail(name, delivery, message, error, parts);
  } finally {
    instruments.handlerSeconds.observe((performance.now() - started) / 1000);
  }
}

async function fail(
  stream: string,
  delivery: Delivery,
  message: Message,
  error: unknown,
  { logger, metrics, retry, signal }: ConsumeParts,
): Promise<void> {
  const decision = decideFailure(error, message.attempt, retry);
  const fields = {
    stream,
    messageId: message.id,
    attempt: message.attempt,
    reason: reasonOf(error),
  };
  if (decision.action === "dead-letter") {
    logger.warn("message dead-lettered", { ...fields, kind: decision.kind });
    metrics.deadLettered.inc({ stream, kind: decision.kind });
    await settle(delivery.deadLetter(decision.reason), logger, stream);
    return;
  }
  logger.info("message retried", { ...fields, delayMs: decision.delayMs });
  metrics.stream(stream).retried.inc();
  // The delay holds the message unacked, so a failing dependency is not
  // hammered; at shutdown the copy goes to the back of the queue at once.
  await delay(decision.delayMs, signal).catch(() => {});
  await settle(delivery.retry(decision.reason), logger, stream);
}

// A failed retry or dead-letter leaves the message unacked: the broker
// redelivers it after the reconnect, so it is logged and nothing is lost.
async function settle(pending: Promise<void>, logger: Logger, stream: string): Promise<void> {
  try {
    await pending;
  } catch (error) {
    logger.warn("could not settle message, the broker will redeliver it", { stream, error });
  }
}
