/**
 * One delivery's way through the runtime: decode and validate, hand to the
 * handler, then ack, retry or dead-letter. Nothing thrown here escapes: a bad
 * message never stops the function.
 *
 * @module
 */
import { decodeDelivery } from "./codec.ts";
import type { ConsumerFunction, Context, Message } from "../define_function.ts";
import { isPermanent, MessageInvalidError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RuntimeMetrics } from "./runtime_metrics.ts";
import type { StreamName } from "../../functions/_streams.ts";
import type { Delivery } from "./transport.ts";

/** What {@linkcode consumeDelivery} needs. */
export interface ConsumeParts {
  // deno-lint-ignore no-explicit-any
  readonly fn: ConsumerFunction<any>;
  readonly state: unknown;
  readonly ctx: Context;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly maxAttempts: number;
  readonly maxMessageBytes: number;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Handles one delivery of `stream` to its end; never rejects. */
export async function consumeDelivery(
  stream: StreamName,
  delivery: Delivery,
  parts: ConsumeParts,
): Promise<void> {
  const { fn, state, ctx, logger, metrics } = parts;
  // A plain number, not prom-client's startTimer closure: a consumer may hold
  // many deliveries at once, and each closure costs memory (bench stage 6).
  const started = performance.now();
  let message: Message;
  try {
    message = decodeDelivery(stream, delivery, { maxBytes: parts.maxMessageBytes });
  } catch (error) {
    const reason = reasonOf(error);
    logger.warn("message dead-lettered", {
      stream,
      messageId: delivery.messageId,
      kind: "invalid",
      reason,
    });
    metrics.deadLettered.inc({ stream, kind: "invalid" });
    await settle(delivery.deadLetter(reason), logger, stream);
    return;
  }
  try {
    // deno-lint-ignore no-explicit-any
    await fn.handle(message as any, state, ctx);
    delivery.ack();
    metrics.consumed.inc({ stream });
  } catch (error) {
    metrics.failed.inc({ stream });
    await fail(stream, delivery, message, error, parts);
  } finally {
    metrics.handlerSeconds.observe({ stream }, (performance.now() - started) / 1000);
  }
}

async function fail(
  stream: StreamName,
  delivery: Delivery,
  message: Message,
  error: unknown,
  { logger, metrics, maxAttempts }: ConsumeParts,
): Promise<void> {
  const reason = reasonOf(error);
  const fields = { stream, messageId: message.id, attempt: message.attempt, reason };
  if (isPermanent(error) || error instanceof MessageInvalidError) {
    logger.warn("message dead-lettered", { ...fields, kind: "permanent" });
    metrics.deadLettered.inc({ stream, kind: "permanent" });
    await settle(delivery.deadLetter(reason), logger, stream);
  } else if (message.attempt >= maxAttempts) {
    const final = `Gave up after ${message.attempt} attempts: ${reason}`;
    logger.warn("message dead-lettered", { ...fields, kind: "exhausted" });
    metrics.deadLettered.inc({ stream, kind: "exhausted" });
    await settle(delivery.deadLetter(final), logger, stream);
  } else {
    logger.info("message retried", fields);
    metrics.retried.inc({ stream });
    await settle(delivery.retry(reason), logger, stream);
  }
}

// A failed retry or dead-letter leaves the message unacked: the broker
// redelivers it after the reconnect, so it is logged and nothing is lost.
async function settle(pending: Promise<void>, logger: Logger, stream: StreamName): Promise<void> {
  try {
    await pending;
  } catch (error) {
    logger.warn("could not settle message, the broker will redeliver it", { stream, error });
  }
}
