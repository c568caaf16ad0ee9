/**
 * The bench's own AMQP pieces, on bare amqplib: the pipeline's queue
 * settings, a publisher that keeps many confirms in flight exactly like the
 * runtime's (persistent, mandatory, the same properties), and clean-up of
 * the pipeline's queues between stages.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type Channel, type ConfirmChannel, connect } from "amqplib";
import {
  declareGroupQueue,
  DEFAULT_DELIVERY_LIMIT,
  queueArguments,
} from "../shared/amqp/amqp_transport.ts";
import { STREAMS } from "../functions/_streams.ts";
import {
  deadLetterQueueName,
  queueName,
  singleActiveQueueName,
} from "../shared/runtime/transport.ts";
import type { OutgoingMessage } from "../shared/runtime/transport.ts";

/** The queues the four functions declare. */
export const PIPELINE_QUEUES: readonly string[] = [
  queueName("features/X", "model"),
  // metrics' replicas are single-active: one queue fed by both its streams.
  singleActiveQueueName("metrics"),
].flatMap((queue) => [queue, deadLetterQueueName(queue)]);

/**
 * Declares a function's queue before it starts, exactly as its runtime will:
 * metrics' one single-active queue fed by both its streams, another group's
 * queue on its one stream.
 */
export async function declareFunctionQueue(
  channel: Channel,
  group: "model" | "metrics",
): Promise<void> {
  const topology = group === "metrics"
    ? {
      queue: singleActiveQueueName("metrics"),
      streams: ["features/Y_true", "predictions/Y_pred"],
      singleActive: true,
    }
    : { queue: queueName("features/X", group), streams: ["features/X"], singleActive: false };
  await declareGroupQueue(channel, topology, DEFAULT_DELIVERY_LIMIT);
}

/** The arguments of a group's quorum queue, exactly as the transport declares it. */
export function pipelineQueueArguments(queue: string): Record<string, unknown> {
  return queueArguments(queue, DEFAULT_DELIVERY_LIMIT);
}

/** Deletes the pipeline's queues (if any), so the next stage starts empty; on a cluster, through its first node. */
export async function deletePipelineQueues(url: string): Promise<void> {
  const connection = await connect(url.split(",")[0]!);
  try {
    const channel = await connection.createChannel();
    for (const queue of PIPELINE_QUEUES) await channel.deleteQueue(queue);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** A confirm-channel publisher with a bounded number of publishes in flight. */
export class WindowedPublisher {
  readonly #channel: ConfirmChannel;
  readonly #window: number;
  #seq = 0;
  #inFlight = 0;
  #failed = 0;
  #slot: PromiseWithResolvers<void> | undefined;
  #idle: PromiseWithResolvers<void> | undefined;

  /** Publishes on `channel` with at most `window` unconfirmed. */
  constructor(channel: ConfirmChannel, window: number) {
    this.#channel = channel;
    this.#window = window;
    // A returned message is confirmed all the same: count it here.
    channel.on("return", () => this.#failed++);
  }

  /** Publishes that the broker refused (nack) or returned (no queue bound). */
  get failed(): number {
    return this.#failed;
  }

  /** Sends once a slot is free; `confirmed` is told when the broker confirms. */
  async publish(
    exchange: string,
    routingKey: string,
    message: OutgoingMessage,
    confirmed?: () => void,
  ): Promise<void> {
    while (this.#inFlight >= this.#window) {
      this.#slot ??= Promise.withResolvers();
      await this.#slot.promise;
    }
    this.#inFlight++;
    const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength);
    // The same properties as the runtime's ConfirmPublisher, header included.
    let flushed: boolean;
    try {
      flushed = this.#publish(exchange, routingKey, body, message, confirmed);
    } catch {
      // The channel closed: counted, never thrown, since callers do not await each publish.
      this.#failed++;
      this.#settle();
      return;
    }
    if (!flushed) await new Promise((resolve) => this.#channel.once("drain", resolve));
  }

  /** Resolves once every publish so far is confirmed. */
  async settled(): Promise<void> {
    if (this.#inFlight === 0) return;
    this.#idle = Promise.withResolvers();
    await this.#idle.promise;
    this.#idle = undefined;
  }

  #publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    message: OutgoingMessage,
    confirmed: (() => void) | undefined,
  ): boolean {
    return this.#channel.publish(exchange, routingKey, body, {
      persistent: true,
      mandatory: true,
      messageId: message.id,
      contentType: "application/json",
      timestamp: message.timestamp,
      headers: { "x-publish-seq": ++this.#seq },
    }, (error: unknown) => {
      if (error) this.#failed++;
      else confirmed?.();
      this.#settle();
    });
  }

  #settle(): void {
    this.#inFlight--;
    const slot = this.#slot;
    this.#slot = undefined;
    slot?.resolve();
    if (this.#inFlight === 0) this.#idle?.resolve();
  }
}

/** Opens a connection with a confirm channel that has the pipeline's exchanges. */
export async function openPublisher(url: string, window: number): Promise<{
  publisher: WindowedPublisher;
  close(): Promise<void>;
}> {
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  for (const { name } of STREAMS) {
    await channel.assertExchange(name, "fanout", { durable: true });
  }
  return {
    publisher: new WindowedPublisher(channel, window),
    close: async () => {
      await connection.close();
    },
  };
}

/** Publishes one message to a stream's exchange. */
export function publishToStream(
  publisher: WindowedPublisher,
  stream: string,
  message: OutgoingMessage,
  confirmed?: () => void,
): Promise<void> {
  return publisher.publish(stream, "", message, confirmed);
}
