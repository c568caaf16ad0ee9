/**
 * The RabbitMQ {@linkcode Transport}, on amqplib with its own connection
 * recovery: channels do not survive a reconnect, so the `setup` hook opens a
 * fresh confirm channel, declares the exchanges and starts every live
 * subscription again on each connection. Publishes left unconfirmed by a
 * lost connection are sent again once it is back (at least once). Given
 * several brokers (the nodes of a cluster), each attempt after a failure or a
 * loss goes to the next one (see {@linkcode BrokerList}).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type ChannelModel, connect, type RecoveringChannelModel } from "amqplib";
import {
  AmqpSubscription,
  declareGroupQueue,
  queueArguments,
  type SubscriptionTopology,
} from "./_amqp_subscription.ts";
import { BrokerList } from "./broker_list.ts";
import { ConfirmPublisher } from "./_confirm_publisher.ts";
import { type Logger, silentLogger } from "../logger.ts";
import {
  type Delivery,
  type OutgoingMessage,
  queueName,
  singleActiveQueueName,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportEvents,
  type TransportState,
} from "../runtime/transport.ts";

/** Options of {@linkcode createAmqpTransport}. */
export interface CreateAmqpTransportOptions {
  /** Where connection events go. @default silentLogger */
  logger?: Logger;
  /** Told about state changes, reconnects and a recovery that gave up. @default {} */
  events?: TransportEvents;
  /** First reconnect delay. @default 100 */
  initialDelayMs?: number;
  /** Longest reconnect delay. @default 5000 */
  maxDelayMs?: number;
  /** Reconnect attempts after a loss before `fatal`. @default Infinity */
  maxRetries?: number;
  /** Connect attempts at start before giving up. @default 10 */
  initialMaxRetries?: number;
  /** The queues' `x-delivery-limit`, a backstop for messages that crash the process. @default 20 */
  deliveryLimit?: number;
  /**
   * The streams whose exchanges are declared on every connection, before the
   * first publish: publishing to a missing exchange would close the channel.
   * @default []
   */
  streams?: readonly string[];
  /** Acks several deliveries with one `basic.ack` (`multiple`). @default true */
  coalesceAcks?: boolean;
  /** How long `close()` waits for unconfirmed publishes. @default 2000 */
  closeTimeoutMs?: number;
  /**
   * AMQP heartbeat in seconds, asked of the broker (0: none). amqplib drops a
   * connection that heard nothing for two intervals, so a frozen broker is
   * noticed within two to three. @default 10
   */
  heartbeatS?: number;
}

/** A RabbitMQ transport; `crash()` exists for fault tests. */
export interface AmqpTransport extends Transport {
  /** `basic.ack` frames sent so far by all subscriptions. */
  readonly ackFrames: number;
  /**
   * Drops the connection abruptly and for good: no cancel, no ack, no wait,
   * like a killed process. Unconfirmed publishes reject "TRANSPORT_CLOSED".
   */
  crash(): Promise<void>;
}

/** The queues' `x-delivery-limit` unless {@linkcode AmqpTransportOptions.deliveryLimit} says otherwise. */
export const DEFAULT_DELIVERY_LIMIT = 20;

/** A group's quorum queue and how it is declared, for tools that declare it themselves (the bench). */
export { declareGroupQueue, queueArguments };

/** Returns the URL with its password masked, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href;
  } catch {
    return "<unparseable URL>";
  }
}

/**
 * Connects to RabbitMQ, to the first of `urls` that answers; resolves once
 * connected, rejects when the first attempts all fail.
 */
export async function createAmqpTransport(
  urls: string | readonly string[],
  options: CreateAmqpTransportOptions = {},
): Promise<AmqpTransport> {
  const brokers = new BrokerList(typeof urls === "string" ? [urls] : urls, {
    heartbeatS: options.heartbeatS ?? 10,
  });
  const transport = new RabbitTransport(brokers, options);
  await transport.connect();
  return transport;
}

class RabbitTransport implements AmqpTransport {
  readonly #brokers: BrokerList;
  readonly #options: CreateAmqpTransportOptions;
  readonly #logger: Logger;
  readonly #events: TransportEvents;
  readonly #publisher: ConfirmPublisher;
  readonly #subscriptions = new Set<AmqpSubscription>();
  /** Cancelled, but their in-flight deliveries may still be acked until close. */
  readonly #cancelled = new Set<AmqpSubscription>();
  readonly #restarts = new Set<ReturnType<typeof setTimeout>>();
  #connection: RecoveringChannelModel | undefined;
  #channelModel: ChannelModel | undefined;
  #state: TransportState = "connecting";
  #connectedOnce = false;
  #closing: Promise<void> | undefined;
  #ackFrames = 0;
  /** Streams whose exchanges every connection declares. */
  readonly #declared: Set<string>;
  readonly #declaring = new Map<string, Promise<void>>();

  constructor(brokers: BrokerList, options: CreateAmqpTransportOptions) {
    this.#brokers = brokers;
    this.#options = options;
    this.#declared = new Set(options.streams ?? []);
    this.#logger = options.logger ?? silentLogger;
    this.#events = options.events ?? {};
    this.#publisher = new ConfirmPublisher((count) => {
      this.#logger.warn("broker publish unconfirmed", {
        count,
        action: "resend after recovery",
      });
    });
  }

  get state(): TransportState {
    return this.#state;
  }

  get ackFrames(): number {
    let frames = this.#ackFrames;
    for (const subscription of this.#subscriptions) frames += subscription.ackFrames;
    for (const subscription of this.#cancelled) frames += subscription.ackFrames;
    return frames;
  }

  async connect(): Promise<void> {
    const options = this.#options;
    const heartbeatS = options.heartbeatS ?? 10;
    const connection = await connect(this.#brokers.target, {
      // A connect whose handshake a frozen broker never answers gives up and is retried.
      timeout: Math.max(heartbeatS, 10) * 1000,
      // Nagle's algorithm holds small frames (acks, RPCs) for up to 40 ms
      // waiting for the peer's delayed ACK; amqplib leaves it on by default.
      noDelay: true,
      recovery: {
        initialDelay: options.initialDelayMs ?? 100,
        maxDelay: options.maxDelayMs ?? 5000,
        factor: 2,
        jitter: 0.2,
        maxRetries: options.maxRetries ?? Infinity,
        initialMaxRetries: options.initialMaxRetries ?? 10,
        waitForConnect: false,
        setup: (channelModel: ChannelModel) => this.#setup(channelModel),
      },
    });
    this.#connection = connection;
    this.#listen(connection);
    await connection.waitForConnect();
  }

  publish(stream: string, message: OutgoingMessage): Promise<void> {
    if (this.#closing === undefined && !this.#declared.has(stream)) {
      return this.#declareThenPublish(stream, message);
    }
    return this.#publisher.publish(stream, "", toBuffer(message.body), {
      messageId: message.id,
      contentType: "application/json",
      timestamp: message.timestamp,
      headers: { ...message.headers },
      label: `message "${message.id}" to "${stream}"`,
    });
  }

  /**
   * A stream first published to: its exchange is declared on a channel of its
   * own (a publish to a missing exchange would close the confirm channel), and
   * again on every later connection.
   */
  async #declareThenPublish(stream: string, message: OutgoingMessage): Promise<void> {
    let declaring = this.#declaring.get(stream);
    if (declaring === undefined) {
      declaring = this.#declare(stream).finally(() => this.#declaring.delete(stream));
      this.#declaring.set(stream, declaring);
    }
    await declaring;
    return await this.publish(stream, message);
  }

  async #declare(stream: string): Promise<void> {
    const channelModel = this.#channelModel;
    if (channelModel !== undefined) {
      const channel = await channelModel.createChannel();
      try {
        await channel.assertExchange(stream, "fanout", { durable: true });
      } finally {
        await channel.close().catch(() => {});
      }
    }
    // While disconnected, the next setup declares it.
    this.#declared.add(stream);
  }

  subscribe(
    stream: string,
    group: string,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    const topology = { queue: queueName(stream, group), streams: [stream], singleActive: false };
    return this.#subscribe(topology, onDelivery, options);
  }

  subscribeSingleActive(
    streams: readonly string[],
    group: string,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    const topology = { queue: singleActiveQueueName(group), streams, singleActive: true };
    return this.#subscribe(topology, onDelivery, options);
  }

  async #subscribe(
    topology: SubscriptionTopology,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    if (this.#closing !== undefined) {
      throw new TypeError(`Cannot subscribe to "${topology.queue}": the transport is closed`);
    }
    const subscription = new AmqpSubscription(topology, onDelivery, options.prefetch, {
      publisher: this.#publisher,
      logger: this.#logger,
      deliveryLimit: this.#options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
      coalesceAcks: this.#options.coalesceAcks ?? true,
      onChannelLost: (lost) => this.#restartLater(lost),
      onCancel: (cancelled) => this.#forget(cancelled),
    });
    this.#subscriptions.add(subscription);
    // While disconnected, the next setup starts it.
    if (this.#channelModel !== undefined) {
      try {
        await subscription.start(this.#channelModel);
      } catch (error) {
        this.#subscriptions.delete(subscription);
        throw error;
      }
    }
    return subscription;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  crash(): Promise<void> {
    this.#closing ??= this.#drop();
    return this.#closing;
  }

  async #setup(channelModel: ChannelModel): Promise<void> {
    // amqplib listens for connection errors only once setup is done; until
    // then an 'error' event without a listener would throw.
    channelModel.on(
      "error",
      (error: Error) => this.#logger.debug("broker connection error", { error }),
    );
    const channel = await channelModel.createConfirmChannel();
    channel.on("error", (error: Error) => this.#logger.warn("broker channel error", { error }));
    for (const stream of this.#declared) {
      await channel.assertExchange(stream, "fanout", { durable: true });
    }
    for (const subscription of this.#subscriptions) await subscription.start(channelModel);
    this.#channelModel = channelModel;
    this.#publisher.attach(channel);
  }

  #listen(connection: RecoveringChannelModel): void {
    const redacted = () => redactUrl(this.#brokers.current);
    connection.on("connect", () => {
      this.#logger.info("broker connected", { url: redacted() });
      this.#setState("connected");
      if (this.#connectedOnce) this.#events.reconnect?.();
      this.#connectedOnce = true;
    });
    connection.on("disconnect", (error: Error) => {
      this.#channelModel = undefined;
      this.#logger.warn("broker disconnected", { url: redacted(), error });
      this.#setState("disconnected");
      // amqplib schedules the next attempt right after: it goes to the next broker.
      this.#brokers.next();
    });
    connection.on("connect-failed", (error: Error) => {
      this.#logger.warn("broker connect failed", { url: redacted(), error });
      this.#brokers.next();
    });
    connection.on("reconnect-failed", (error: Error) => {
      this.#logger.error("broker recovery gave up", { url: redacted(), error });
      if (this.#connectedOnce) this.#events.fatal?.(error);
    });
    connection.on("blocked", (reason: string) => {
      this.#logger.warn("broker blocked", { reason });
      this.#publisher.setBlocked(true);
    });
    connection.on("unblocked", () => {
      this.#logger.info("broker unblocked");
      this.#publisher.setBlocked(false);
    });
    // Without a listener an 'error' event would throw; 'disconnect' follows it.
    connection.on("error", (error: Error) => {
      this.#logger.debug("broker connection error", { error });
    });
  }

  #setState(state: TransportState): void {
    if (this.#state === state || this.#state === "closed") return;
    this.#state = state;
    this.#events.state?.(state);
  }

  /** A subscription channel died while the connection lives: start it again shortly. */
  #restartLater(subscription: AmqpSubscription): void {
    const channelModel = this.#channelModel;
    const timer = setTimeout(() => {
      this.#restarts.delete(timer);
      if (
        this.#channelModel !== channelModel || channelModel === undefined ||
        this.#closing !== undefined
      ) return;
      subscription.start(channelModel).catch((error) => {
        this.#logger.error("broker resubscribe failed", { queue: subscription.queue, error });
      });
    }, 1000);
    this.#restarts.add(timer);
  }

  #forget(subscription: AmqpSubscription): void {
    this.#subscriptions.delete(subscription);
    this.#cancelled.add(subscription);
  }

  #stopTimers(): void {
    for (const timer of this.#restarts) clearTimeout(timer);
    this.#restarts.clear();
  }

  async #shutdown(): Promise<void> {
    this.#stopTimers();
    const subscriptions = [...this.#subscriptions];
    const failures: unknown[] = [];
    const step = async (run: () => Promise<void> | void) => {
      try {
        await run();
      } catch (error) {
        failures.push(error);
      }
    };
    await step(() => Promise.all(subscriptions.map((s) => s.cancel())).then(() => {}));
    await step(() => this.#publisher.close(this.#options.closeTimeoutMs ?? 2000));
    // Acks are coalesced on the next turn; send those of every subscription,
    // cancelled ones included, and close their channels before the connection.
    for (const subscription of [...subscriptions, ...this.#cancelled]) {
      await step(() => subscription.flushAndClose());
    }
    await step(() => this.#connection?.close());
    this.#setState("closed");
    if (failures.length > 0) {
      throw new AggregateError(failures, "Cannot close the RabbitMQ transport cleanly");
    }
  }

  async #drop(): Promise<void> {
    this.#stopTimers();
    for (const subscription of this.#subscriptions) subscription.abandon();
    const connection = this.#connection;
    const channelModel = this.#channelModel;
    if (connection !== undefined && channelModel !== undefined) {
      const disconnected = new Promise((resolve) => connection.once("disconnect", resolve));
      // amqplib keeps the socket private; destroying it with an error is the
      // closest to a killed process (no connection.close is sent).
      const internals = channelModel.connection as unknown as {
        stream: { destroy(error: Error): void };
      };
      internals.stream.destroy(new Error("Transport crashed on purpose"));
      await disconnected;
    }
    await this.#connection?.close();
    await this.#publisher.close(0);
    this.#setState("closed");
  }
}

function toBuffer(body: Uint8Array): Buffer {
  // The codec already hands a Buffer: wrapping it again costs a view per publish.
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
