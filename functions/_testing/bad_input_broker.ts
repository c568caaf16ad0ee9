/**
 * Raw AMQP for bad_input_test.ts: publishes any bytes with any properties
 * straight to a stream's exchange (no codec, so bad messages stay bad) and
 * takes what a dead-letter queue holds.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type ChannelModel, type ConfirmChannel, connect } from "amqplib";
import { CONTENT_TYPE } from "../../shared/runtime/codec.ts";
import { deadLetterReason } from "../../shared/amqp/dead_letter_reason.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";

/** Properties of a raw publish; `undefined` leaves a property out. */
export interface RawProperties {
  /** The AMQP messageId. */
  readonly messageId?: string | undefined;
  /** The AMQP contentType. @default "application/json" */
  readonly contentType?: string | undefined;
}

/** One message taken from a dead-letter queue. */
export interface DeadLetter {
  /** Why it was dead-lettered, by {@linkcode deadLetterReason}. */
  readonly reason: string;
  /** The body, decoded leniently (bad bytes become U+FFFD). */
  readonly body: string;
  /** RabbitMQ's `x-death` reason when the broker moved it ("rejected"), else undefined. */
  readonly brokerReason: string | undefined;
}

const lenient = new TextDecoder();

/** A guest connection to a node with a confirm channel. */
export class RawBroker {
  readonly #connection: ChannelModel;
  readonly #channel: ConfirmChannel;
  readonly #taken = new Map<string, DeadLetter[]>();
  #closing: Promise<void> | undefined;

  private constructor(connection: ChannelModel, channel: ConfirmChannel) {
    this.#connection = connection;
    this.#channel = channel;
  }

  /** Connects to `url`. */
  static async open(url: string): Promise<RawBroker> {
    const connection = await connect(url, { noDelay: true });
    try {
      return new RawBroker(connection, await connection.createConfirmChannel());
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** Publishes `body` to the stream's exchange, persistent; resolves once confirmed. */
  async publish(
    stream: string,
    body: string | Uint8Array,
    properties: RawProperties = {},
  ): Promise<void> {
    const contentType = "contentType" in properties ? properties.contentType : CONTENT_TYPE;
    this.#channel.publish(stream, "", Buffer.from(body), {
      persistent: true,
      ...(properties.messageId === undefined ? {} : { messageId: properties.messageId }),
      ...(contentType === undefined ? {} : { contentType }),
    });
    await this.#channel.waitForConfirms();
  }

  /** Publishes a well-formed envelope whose messageId is its id. */
  publishEnvelope(stream: string, id: string, data: unknown): Promise<void> {
    return this.publish(stream, envelope(id, data), { messageId: id });
  }

  /** Takes every message of `queue` until `count` were taken in all; returns all taken. */
  async takeDead(queue: string, count: number): Promise<DeadLetter[]> {
    const taken = this.#taken.get(queue) ?? [];
    this.#taken.set(queue, taken);
    await waitFor(`${count} messages in "${queue}"`, async () => {
      for (;;) {
        const message = await this.#channel.get(queue, { noAck: true });
        if (message === false) break;
        const reason = deadLetterReason(message.properties.headers, message.content.length);
        const deaths = message.properties.headers?.["x-death"];
        const brokerReason = Array.isArray(deaths) ? String(deaths[0]?.reason) : undefined;
        taken.push({ reason, body: lenient.decode(message.content), brokerReason });
      }
      return taken.length >= count;
    }, { timeoutMs: 15_000 });
    return taken;
  }

  /** Closes the channel and the connection; may be called twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#channel.close();
      } finally {
        await this.#connection.close();
      }
    })();
    return this.#closing;
  }
}

/** The envelope JSON of one message, stamped now. */
export function envelope(id: unknown, data: unknown): string {
  return JSON.stringify({ id, timestamp: Date.now(), data });
}
