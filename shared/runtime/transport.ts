/**
 * The narrow interface every transport implements: the embedded broker and
 * RabbitMQ. The runtime knows only this; the same conformance suite runs
 * against each implementation.
 *
 * Topology, whatever the transport:
 * - a stream is a fan-out exchange named exactly after the stream;
 * - a consumer group (a function name) has one durable queue per stream it
 *   consumes, named `<stream>.<group>` (see {@linkcode queueName}), bound to the
 *   stream; replicas of one group compete for that queue, two groups each get
 *   every message;
 * - each queue has a dead-letter queue `<queue>.dead` (see
 *   {@linkcode deadLetterQueueName});
 * - a group that declares single-active delivery has instead ONE queue,
 *   `<group>.in` (see {@linkcode singleActiveQueueName}), bound to every
 *   stream it consumes, with RabbitMQ's `x-single-active-consumer`: one
 *   replica receives everything, the others stand by, and when the active one
 *   goes away the broker hands the queue, its unacked messages included, to
 *   the next. A delivery's stream is the exchange it was published to.
 *
 * @module
 */

/** A message as handed to {@linkcode Transport.publish}. */
export interface OutgoingMessage {
  /** The observation id; also the AMQP `messageId`. */
  readonly id: string;
  /** The encoded body (JSON). */
  readonly body: Uint8Array;
  /** Milliseconds since the epoch when the message was created. */
  readonly timestamp: number;
  /** Extra headers. */
  readonly headers?: Readonly<Record<string, string | number>>;
}

/** One delivered message; exactly one of `ack`, `retry` or `deadLetter` settles it. */
export interface Delivery {
  /** The raw body. */
  readonly body: Uint8Array;
  /** The AMQP `messageId`, when the publisher set one. */
  readonly messageId: string | undefined;
  /** The AMQP `contentType`, when the publisher set one. */
  readonly contentType: string | undefined;
  /** The message headers. */
  readonly headers: Readonly<Record<string, unknown>>;
  /** 1 on the first delivery, counting retries and broker redeliveries. */
  readonly attempt: number;
  /** The queue this came from. */
  readonly queue: string;
  /**
   * The stream it was published to: the delivery's exchange, or, for a copy
   * put back by {@linkcode Delivery.retry}, the {@linkcode STREAM_HEADER}.
   */
  readonly stream: string;
  /** Done: remove the message from its queue. */
  ack(): void;
  /**
   * Not done: put the message at the back of its queue with its attempt count
   * raised, confirmed, then remove this copy.
   */
  retry(reason: string): Promise<void>;
  /**
   * Never retry: put the message in its dead-letter queue with the reason in
   * the `x-death-reason` header, confirmed, then remove this copy.
   */
  deadLetter(reason: string): Promise<void>;
  /**
   * Never retry, and copy nothing: the broker itself moves the message to its
   * dead-letter queue, as it is. On RabbitMQ a `basic.nack` without requeue
   * into the queue's dead-letter exchange: the body is neither held nor sent
   * again, and the copy carries RabbitMQ's `x-death` (reason "rejected")
   * instead of `x-death-reason` (see `deadLetterReason()` in shared/amqp).
   * The embedded broker keeps the reason in `x-death-reason`.
   */
  reject(reason: string): Promise<void>;
}

/** Options of {@linkcode Transport.subscribe}. */
export interface SubscribeOptions {
  /** Unsettled deliveries at most. */
  readonly prefetch: number;
}

/** A live subscription. */
export interface Subscription {
  /** The queue consumed from. */
  readonly queue: string;
  /** Stops new deliveries; deliveries already handed out may still be settled. */
  cancel(): Promise<void>;
}

/** Connection state, as `/healthz` and `/metrics` report it. */
export type TransportState = "connecting" | "connected" | "disconnected" | "closed";

/** What a transport tells its owner. */
export interface TransportEvents {
  /** The state changed. */
  state?(state: TransportState): void;
  /** The connection came back after a loss. */
  reconnect?(): void;
  /** Recovery gave up: the owner should exit non-zero to be restarted. */
  fatal?(error: Error): void;
}

/** The interface the runtime talks to. */
export interface Transport {
  /** The current state. */
  readonly state: TransportState;
  /**
   * Publishes to a stream. Resolves only when the broker confirmed the message
   * and at least one queue took it; waits while the broker blocks publishers
   * or the connection is down.
   */
  publish(stream: string, message: OutgoingMessage): Promise<void>;
  /** Declares the group's queue for a stream and consumes it. */
  subscribe(
    stream: string,
    group: string,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription>;
  /**
   * Declares the group's single-active queue, `<group>.in`, binds it to every
   * stream, and consumes it; only the oldest live consumer of the queue
   * receives messages, the others take over in turn.
   */
  subscribeSingleActive(
    streams: readonly string[],
    group: string,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription>;
  /** Closes; may be called twice and returns the same promise. */
  close(): Promise<void>;
}

/** The queue of one consumer group on one stream. */
export function queueName(stream: string, group: string): string {
  return `${stream}.${group}`;
}

/** The one queue of a group with single-active delivery, fed by all its streams. */
export function singleActiveQueueName(group: string): string {
  return `${group}.in`;
}

/** The dead-letter queue of a queue. */
export function deadLetterQueueName(queue: string): string {
  return `${queue}.dead`;
}

/** Header that carries the attempt count across retries. */
export const ATTEMPT_HEADER = "x-attempt";

/** Header that carries the reason a message was dead-lettered. */
export const DEATH_REASON_HEADER = "x-death-reason";

/**
 * Header that carries a message's stream on a copy put back by a retry, which
 * goes through the default exchange and so no longer names its stream.
 */
export const STREAM_HEADER = "x-stream";

/** The stream of a delivery: its exchange, else the header a retry set. */
export function streamOf(exchange: string, headers: Readonly<Record<string, unknown>>): string {
  if (exchange !== "") return exchange;
  const stream = headers[STREAM_HEADER];
  return typeof stream === "string" ? stream : "";
}
