/**
 * A {@linkcode Transport} over the in-process {@linkcode MemoryBroker}, used
 * when `AMQP_URL` is unset. Each transport is one connection to the broker;
 * several may share a broker, like replicas sharing RabbitMQ.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { PipelineError } from "../errors.ts";
import type { BrokerDelivery, MemoryBroker, MemoryConnection } from "./memory_broker.ts";
import { attemptOf, retryHeaders } from "../runtime/retry_policy.ts";
import {
  deadLetterQueueName,
  DEATH_REASON_HEADER,
  type Delivery,
  type OutgoingMessage,
  queueName,
  singleActiveQueueName,
  STREAM_HEADER,
  streamOf,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportEvents,
  type TransportState,
} from "../runtime/transport.ts";

/** Options of {@linkcode createMemoryTransport}. */
export interface MemoryTransportOptions {
  /** Told about state changes. @default no listener */
  events?: TransportEvents;
}

/** A transport over a {@linkcode MemoryBroker}; `crash()` simulates a killed process. */
export class MemoryTransport implements Transport {
  readonly #broker: MemoryBroker;
  readonly #connection: MemoryConnection;
  readonly #events: TransportEvents;
  readonly #confirms = new Set<Promise<void>>();
  readonly #consumerTags = new Set<string>();
  #state: TransportState = "connected";
  #closing: Promise<void> | undefined;

  /** Connects to the broker. */
  constructor(broker: MemoryBroker, options: MemoryTransportOptions = {}) {
    this.#broker = broker;
    this.#connection = broker.connect();
    this.#events = options.events ?? {};
    this.#events.state?.("connected");
  }

  /** "connected" until closed or crashed, then "closed". */
  get state(): TransportState {
    return this.#state;
  }

  /** Publishes to every queue bound to the stream; rejects "UNROUTABLE" when none is. */
  publish(stream: string, message: OutgoingMessage): Promise<void> {
    if (this.#state === "closed") return Promise.reject(closedError(`publish to "${stream}"`));
    this.#broker.declareExchange(stream);
    const routed = this.#broker.publish(stream, {
      id: message.id,
      contentType: "application/json",
      body: message.body,
      timestamp: message.timestamp,
      headers: { ...message.headers },
    });
    const error = routed > 0 ? undefined : new PipelineError(
      "UNROUTABLE",
      `Cannot publish message "${message.id}" to "${stream}": no queue is bound`,
    );
    return this.#confirm(error);
  }

  /** Declares the group's queue and its dead-letter queue, binds it, and consumes it. */
  subscribe(
    stream: string,
    group: string,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#subscribe(queueName(stream, group), [stream], false, onDelivery, options);
  }

  /** Declares the group's one single-active queue, binds it to every stream, and consumes it. */
  subscribeSingleActive(
    streams: readonly string[],
    group: string,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#subscribe(singleActiveQueueName(group), streams, true, onDelivery, options);
  }

  #subscribe(
    queue: string,
    streams: readonly string[],
    singleActiveConsumer: boolean,
    onDelivery: (delivery: Delivery) => void,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    if (this.#state === "closed") return Promise.reject(closedError(`consume "${queue}"`));
    const dead = deadLetterQueueName(queue);
    try {
      this.#broker.declareQueue(dead);
      this.#broker.declareQueue(queue, { deadLetterQueue: dead, singleActiveConsumer });
      for (const stream of streams) {
        this.#broker.declareExchange(stream);
        this.#broker.bindQueue(queue, stream);
      }
      const tag = this.#connection.consume(
        queue,
        options.prefetch,
        (delivery) => onDelivery(this.#delivery(delivery, singleActiveConsumer)),
      );
      this.#consumerTags.add(tag);
      const cancel = () => {
        this.#consumerTags.delete(tag);
        this.#connection.cancel(tag);
        return Promise.resolve();
      };
      return Promise.resolve({ queue, cancel });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Cancels consuming and returns unsettled deliveries; the same promise every call. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /**
   * Drops the connection without settling anything, as `kill -9` would: the
   * broker gives unsettled deliveries to the next consumer, and settling them
   * here afterwards does nothing.
   */
  crash(): void {
    this.#closing ??= Promise.resolve();
    this.#connection.close();
    this.#setState("closed");
  }

  /**
   * Like closing over AMQP: consumers are cancelled at once, the connection
   * drops a turn later (the cancel's round trip), so settles already on
   * their way land; whatever is still unsettled then goes back to its queue.
   */
  async #shutdown(): Promise<void> {
    this.#setState("closed");
    for (const tag of this.#consumerTags) this.#connection.cancel(tag);
    await Promise.allSettled([...this.#confirms]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#connection.close();
  }

  #setState(state: TransportState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.state?.(state);
  }

  /**
   * Settles on a later turn, as a broker confirm would: a source publishing in
   * a loop must not starve timers and I/O with a chain of microtasks.
   */
  #confirm(error: PipelineError | undefined): Promise<void> {
    const confirm = new Promise<void>((resolve, reject) => {
      setImmediate(() => error === undefined ? resolve() : reject(error));
    });
    const tracked = confirm.catch(() => {}).finally(() => this.#confirms.delete(tracked));
    this.#confirms.add(tracked);
    return confirm;
  }

  #delivery(delivery: BrokerDelivery, singleActive: boolean): Delivery {
    const { tag, queue, message } = delivery;
    const attempt = attemptOf(message.headers, delivery.redelivered);
    const connection = this.#connection;
    const stream = streamOf(message.exchange ?? "", message.headers);
    // A copy put back through the default exchange keeps its stream here; a
    // queue of one stream needs none (and its messages stay as they were).
    const origin = singleActive ? { [STREAM_HEADER]: stream } : {};
    return {
      body: message.body,
      messageId: message.id,
      contentType: message.contentType,
      headers: message.headers,
      attempt,
      queue,
      stream,
      ack() {
        connection.ack(tag);
      },
      retry: (_reason: string) =>
        settle(() => connection.republish(tag, queue, { ...retryHeaders(attempt), ...origin })),
      deadLetter: (reason: string) =>
        settle(() =>
          connection.republish(tag, deadLetterQueueName(queue), {
            [DEATH_REASON_HEADER]: reason,
            ...origin,
          })
        ),
      // In one process a body is never copied: the same as deadLetter.
      reject: (reason: string) =>
        settle(() =>
          connection.republish(tag, deadLetterQueueName(queue), { [DEATH_REASON_HEADER]: reason })
        ),
    };
  }
}

/** Connects a new transport to the broker. */
export function createMemoryTransport(
  broker: MemoryBroker,
  options: MemoryTransportOptions = {},
): MemoryTransport {
  return new MemoryTransport(broker, options);
}

/** Runs a settle step; a stale delivery is a no-op, a failure a rejection. */
function settle(step: () => boolean): Promise<void> {
  try {
    step();
    return Promise.resolve();
  } catch (error) {
    return Promise.reject(error);
  }
}

function closedError(action: string): PipelineError {
  return new PipelineError("TRANSPORT_CLOSED", `Cannot ${action}: transport is closed`);
}
