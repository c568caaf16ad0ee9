/**
 * Why a message sits in a dead-letter queue, in words, whichever way it got
 * there: the runtime's `x-death-reason` header when it republished it, or
 * RabbitMQ's own `x-death` when the broker moved it (a body over
 * `MAX_MESSAGE_BYTES`, rejected unread; a delivery limit reached).
 *
 * @module
 */
import { oversizedReason } from "../runtime/codec.ts";
import { DEATH_REASON_HEADER } from "../runtime/transport.ts";

/** The reason of one dead letter, from its headers and its body's size. */
export function deadLetterReason(
  headers: Readonly<Record<string, unknown>> | undefined,
  bodyBytes: number,
): string {
  const own = headers?.[DEATH_REASON_HEADER];
  if (own !== undefined) return String(own);
  const deaths = headers?.["x-death"];
  const first = Array.isArray(deaths) ? deaths[0] as Record<string, unknown> : undefined;
  // A stream is a fan-out exchange: the one the message was first published to.
  const stream = String(first?.exchange ?? "");
  if (first?.reason === "rejected" && stream !== "") {
    // The runtime rejects (basic.nack) only bodies over MAX_MESSAGE_BYTES.
    return oversizedReason(stream, bodyBytes);
  }
  if (first?.reason === "delivery_limit") {
    return `Delivered more than its queue's x-delivery-limit without being settled`;
  }
  return `Dead-lettered by the broker from "${String(first?.queue ?? "")}": ${
    String(first?.reason ?? "unknown")
  }`;
}
