/**
 * One consumer group's subscription over RabbitMQ: to one stream, or, for a
 * single-active group, to the one queue all its streams feed. Declares its
 * queues, consumes on a channel of its own, and starts again on each new
 * connection.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { setImmediate } from "node:timers";
import type { Channel, ChannelModel, ConsumeMessage, Message } from "amqplib";
import { AckBatcher } from "./_ack_batcher.ts";
import { type ConfirmPublisher, PUBLISH_SEQ_HEADER } from "./_confirm_publisher.ts";
import type { Logger } from "../logger.ts";
import { attemptOf, retryHeaders } from "../runtime/retry_policy.ts";
import {
  deadLetterQueueName,
  DEATH_REASON_HEADER,
  type Delivery,
  STREAM_HEADER,
  streamOf,
  type Subscription,
} from "../runtime/transport.ts";

/** Which queue a subscription consumes and which streams feed it. */
export interface SubscriptionTopology {
  readonly queue: string;
  readonly streams: readonly string[];
  /** Declares the queue with `x-single-active-consumer`. */
  readonly singleActive: boolean;
}

/** Settings shared by every subscription of a transport. */
export interface SubscriptionSettings {
  readonly publisher: ConfirmPublisher;
  readonly logger: Logger;
  readonly deliveryLimit: number;
  readonly coalesceAcks: boolean;
  /** Told when the channel died while the connection lives on. */
  readonly onChannelLost: (subscription: AmqpSubscription) => void;
  /** Told when cancelled, to forget the subscription. */
  readonly onCancel: (subscription: AmqpSubscription) => void;
}

/**
 * Replicas of every quorum queue: one per node of a 3-node cluster, a Raft
 * majority of 2 that survives the loss of any one node. Always set, not a
 * setting: RabbitMQ caps it at the cluster's size (one replica on a single
 * node), and every process declaring a queue must agree on its arguments.
 */
export const QUORUM_INITIAL_GROUP_SIZE = 3;

/** The arguments of a group's quorum queue; explicit so RabbitMQ 3.10 and 4.x agree. */
export function queueArguments(queue: string, deliveryLimit: number): Record<string, unknown> {
  return {
    "x-queue-type": "quorum",
    "x-quorum-initial-group-size": QUORUM_INITIAL_GROUP_SIZE,
    // Only a backstop for messages that crash the process; the runtime retries.
    "x-delivery-limit": deliveryLimit,
    "x-dead-letter-exchange": "",
    "x-dead-letter-routing-key": deadLetterQueueName(queue),
  };
}

/** Declares a stream's exchange, a group's queue and its dead-letter queue, and binds them. */
export async function declareGroupQueue(
  channel: Channel,
  { queue, streams, singleActive }: SubscriptionTopology,
  deliveryLimit: number,
): Promise<void> {
  for (const stream of streams) await channel.assertExchange(stream, "fanout", { durable: true });
  // A quorum DLQ too: dead letters are kept as safely as the messages were.
  await channel.assertQueue(deadLetterQueueName(queue), {
    durable: true,
    arguments: {
      "x-queue-type": "quorum",
      "x-quorum-initial-group-size": QUORUM_INITIAL_GROUP_SIZE,
    },
  });
  const single = singleActive ? { "x-single-active-consumer": true } : {};
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { ...queueArguments(queue, deliveryLimit), ...single },
  });
  for (const stream of streams) await channel.bindQueue(queue, stream, "");
}

/** A live subscription; survives reconnects by starting again on each connection. */
export class AmqpSubscription implements Subscription {
  readonly queue: string;
  readonly #topology: SubscriptionTopology;
  readonly #onDelivery: (delivery: Delivery) => void;
  readonly #prefetch: number;
  readonly #settings: SubscriptionSettings;
  #channelModel: ChannelModel | undefined;
  #starting: Promise<void> | undefined;
  #channel: Channel | undefined;
  #batcher: AckBatcher | undefined;
  #consumerTag: string | undefined;
  #cancelled = false;
  #ackFrames = 0;

  /** Prepares a subscription; {@linkcode start} begins consuming. */
  constructor(
    topology: SubscriptionTopology,
    onDelivery: (delivery: Delivery) => void,
    prefetch: number,
    settings: SubscriptionSettings,
  ) {
    this.queue = topology.queue;
    this.#topology = topology;
    this.#onDelivery = onDelivery;
    this.#prefetch = prefetch;
    this.#settings = settings;
  }

  /** `basic.ack` frames sent so far, over every channel. */
  get ackFrames(): number {
    return this.#ackFrames + (this.#batcher?.frames ?? 0);
  }

  /** Consumes on a new channel of `channelModel`; once per connection. */
  start(channelModel: ChannelModel): Promise<void> {
    if (this.#channelModel !== channelModel || this.#starting === undefined) {
      this.#channelModel = channelModel;
      this.#starting = this.#open(channelModel);
    }
    return this.#starting;
  }

  /** Sends the acks collected so far. */
  flushAcks(): void {
    this.#batcher?.flush();
  }

  /**
   * Sends the acks collected so far and closes the channel: its close-ok
   * proves the broker took every ack before the connection goes.
   */
  async flushAndClose(): Promise<void> {
    this.#batcher?.flush();
    const channel = this.#channel;
    if (channel === undefined || this.#batcher?.closed) return;
    this.#batcher?.close();
    try {
      await channel.close();
    } catch (error) {
      this.#settings.logger.debug("broker channel close failed", { queue: this.queue, error });
    }
  }

  /** Forgets unsent acks: the connection is being dropped on purpose. */
  abandon(): void {
    this.#cancelled = true;
    this.#batcher?.close();
  }

  /** Stops new deliveries; those handed out may still be settled. */
  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#settings.onCancel(this);
    const channel = this.#channel;
    const tag = this.#consumerTag;
    if (channel === undefined || tag === undefined || this.#batcher?.closed) return;
    try {
      await channel.cancel(tag);
    } catch (error) {
      // The channel died meanwhile: no consumer is left to cancel.
      this.#settings.logger.debug("broker cancel failed", { queue: this.queue, error });
    }
  }

  async #open(channelModel: ChannelModel): Promise<void> {
    const channel = await channelModel.createChannel();
    const batcher = new AckBatcher(
      (deliveryTag, multiple) => {
        try {
          channel.ack({ fields: { deliveryTag } } as Message, multiple);
        } catch {
          // The channel or connection is closing: the broker hands the message out again.
          batcher.close();
        }
      },
      this.#settings.coalesceAcks ? (flush) => setImmediate(flush) : (flush) => flush(),
    );
    this.#ackFrames += this.#batcher?.frames ?? 0;
    this.#batcher?.close();
    this.#channel = channel;
    this.#batcher = batcher;
    channel.on("error", (error: Error) => {
      this.#settings.logger.warn("broker channel error", { queue: this.queue, error });
    });
    channel.on("close", () => {
      batcher.close();
      if (this.#channel === channel && !this.#cancelled) this.#settings.onChannelLost(this);
    });
    await declareGroupQueue(channel, this.#topology, this.#settings.deliveryLimit);
    // Per consumer (global = false): each replica takes at most `prefetch` at once.
    await channel.prefetch(this.#prefetch, false);
    if (this.#cancelled) return;
    const { consumerTag } = await channel.consume(
      this.queue,
      (message) => this.#deliver(channel, batcher, message),
      { noAck: false },
    );
    this.#consumerTag = consumerTag;
  }

  #deliver(channel: Channel, batcher: AckBatcher, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer: the queue was deleted.
      this.#settings.logger.warn("broker consumer cancelled", { queue: this.queue });
      return;
    }
    this.#onDelivery(this.#toDelivery(channel, batcher, message));
  }

  #toDelivery(channel: Channel, batcher: AckBatcher, message: ConsumeMessage): Delivery {
    const headers: Record<string, unknown> = { ...message.properties.headers };
    delete headers[PUBLISH_SEQ_HEADER];
    const attempt = attemptOf(headers, message.fields.redelivered);
    const stream = streamOf(message.fields.exchange, headers);
    // A copy put back through the default exchange keeps its stream here; a
    // queue of one stream needs none (and its messages stay as they were).
    const origin = this.#topology.singleActive ? { [STREAM_HEADER]: stream } : {};
    const tag = message.fields.deliveryTag;
    // "open" until one of ack, retry or deadLetter settles it; later calls do nothing.
    let state: "open" | "settling" | "settled" = "open";
    const settle = () => {
      state = "settled";
      batcher.settle(tag);
    };
    const republish = async (routingKey: string, extra: Record<string, unknown>) => {
      if (state !== "open") return;
      // The channel died: the broker hands the message out again anyway.
      if (batcher.closed) return void (state = "settled");
      state = "settling";
      const { headers: _old, ...properties } = message.properties;
      try {
        await this.#settings.publisher.publish("", routingKey, Buffer.from(message.content), {
          ...properties,
          headers: { ...headers, ...extra },
          label: `message "${message.properties.messageId}" to "${routingKey}"`,
        });
      } catch (error) {
        state = "open";
        throw error;
      }
      settle();
    };
    return {
      body: new Uint8Array(
        message.content.buffer,
        message.content.byteOffset,
        message.content.length,
      ),
      messageId: stringOrUndefined(message.properties.messageId),
      contentType: stringOrUndefined(message.properties.contentType),
      headers,
      attempt,
      queue: this.queue,
      stream,
      ack: () => {
        if (state === "open") settle();
      },
      // The reason is the runtime's to log; the retried copy carries only its attempt.
      retry: (_reason) => republish(this.queue, { ...retryHeaders(attempt), ...origin }),
      deadLetter: (reason) =>
        republish(deadLetterQueueName(this.queue), { [DEATH_REASON_HEADER]: reason, ...origin }),
      // Into the queue's dead-letter exchange by the broker: nothing is copied
      // or confirmed here, and the reason is the runtime's to log.
      reject: (_reason) => {
        if (state !== "open") return Promise.resolve();
        state = "settled";
        if (batcher.closed) return Promise.resolve();
        try {
          channel.nack(message, false, false);
          batcher.rejected(tag);
        } catch {
          // The channel is closing: the broker hands the message out again.
          batcher.close();
        }
        return Promise.resolve();
      },
    };
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
