/**
 * Subscribes a consumer function as its `replicas` declares: one queue per
 * stream (competing replicas), or one single-active queue fed by all its
 * streams, whose deliveries are told apart by the stream they were published
 * to.
 *
 * @module
 */
import type { ConsumerFunction } from "../define_function.ts";
import type { Stream } from "../define_stream.ts";
import type { Logger } from "../logger.ts";
import type { Delivery, SubscribeOptions, Subscription, Transport } from "./transport.ts";

/** Options of {@linkcode subscribeConsumer}. */
export interface SubscribeConsumerOptions extends SubscribeOptions {
  /** Where a delivery of a stream the function does not consume is reported. */
  readonly logger: Logger;
}

/** Subscribes `fn` as the group `name`; `deliver` gets each delivery with its stream. */
export async function subscribeConsumer(
  transport: Transport,
  name: string,
  // deno-lint-ignore no-explicit-any
  fn: ConsumerFunction<any, any, any, any>,
  deliver: (stream: Stream, delivery: Delivery) => void,
  options: SubscribeConsumerOptions,
): Promise<Subscription[]> {
  const streams: readonly Stream[] = fn.consumes;
  const { prefetch, logger } = options;
  if (fn.replicas !== "single-active") {
    const subscriptions: Subscription[] = [];
    for (const stream of streams) {
      const onDelivery = (delivery: Delivery) => deliver(stream, delivery);
      subscriptions.push(await transport.subscribe(stream.name, name, onDelivery, { prefetch }));
    }
    return subscriptions;
  }
  const byName = new Map(streams.map((stream) => [stream.name, stream]));
  const onDelivery = (delivery: Delivery) => {
    const stream = byName.get(delivery.stream);
    if (stream !== undefined) return deliver(stream, delivery);
    // Bound by hand, or a stream the function no longer consumes: never its handler's.
    const reason = `Cannot handle message from "${delivery.stream}": "${name}" does not consume it`;
    logger.warn("message dead-lettered", { messageId: delivery.messageId, reason });
    delivery.deadLetter(reason).catch((error) => {
      logger.warn("could not settle message, the broker will redeliver it", { error });
    });
  };
  const names = streams.map((stream) => stream.name);
  return [await transport.subscribeSingleActive(names, name, onDelivery, { prefetch })];
}
