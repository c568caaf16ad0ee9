/**
 * An in-process broker with RabbitMQ's semantics: fan-out exchanges, queues,
 * competing consumers with prefetch, or a single active consumer, unsettled deliveries returned to the
 * front of their queue when their connection goes away, and a delivery limit
 * that dead-letters a message which keeps coming back.
 *
 * It lets the whole pipeline run in one process with only Deno when
 * `AMQP_URL` is unset, like a local emulator of a cloud queue. No library
 * does this for AMQP in-process, hence written by hand.
 *
 * @module
 */
import {
  type Consumer,
  copyMessage,
  DELIVERY_LIMIT_REASON,
  type Entry,
  Queue,
} from "./_memory_queue.ts";

export { DELIVERY_LIMIT_REASON };

/** A message as the broker stores it. */
export interface BrokerMessage {
  /** The AMQP `messageId`, when the publisher set one. */
  readonly id?: string;
  /** The AMQP `contentType`, when the publisher set one. */
  readonly contentType?: string;
  /** The body; the broker keeps its own copy. */
  readonly body: Uint8Array;
  /** Milliseconds since the epoch when the publisher created it. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string | number>>;
  /** The exchange it was published to; "" once sent to a queue directly. @default "" */
  readonly exchange?: string;
}

/** One message handed to a consumer; settle it by its `tag`. */
export interface BrokerDelivery {
  /** The delivery tag, unique within its connection. */
  readonly tag: number;
  readonly queue: string;
  /** A copy of the stored message. */
  readonly message: BrokerMessage;
  /** True when an earlier delivery went unsettled (its consumer went away). */
  readonly redelivered: boolean;
}

/** What {@linkcode MemoryBroker.queues} reports for one queue. */
export interface QueueStats {
  readonly name: string;
  /** Messages ready to deliver. */
  readonly messages: number;
  /** Messages delivered and not yet settled. */
  readonly unacked: number;
  readonly consumers: number;
}

/** Options of {@linkcode MemoryBroker}. */
export interface MemoryBrokerOptions {
  /**
   * How often a message may return unsettled (its consumer crashed) before it
   * is dead-lettered, like a quorum queue's `x-delivery-limit`.
   * @default 20
   */
  deliveryLimit?: number;
}

/** Options of {@linkcode MemoryBroker.declareQueue}. */
export interface DeclareQueueOptions {
  /** The queue that takes messages past the delivery limit. @default none: they are dropped */
  deadLetterQueue?: string;
  /**
   * Only the oldest consumer receives, like `x-single-active-consumer`; the
   * next takes over when it is cancelled or its connection goes.
   * @default false
   */
  singleActiveConsumer?: boolean;
}

/** One connection to a {@linkcode MemoryBroker}; closing it returns its unsettled deliveries. */
export interface MemoryConnection {
  readonly closed: boolean;
  /** Consumes a queue with at most `prefetch` unsettled deliveries; returns the consumer tag. */
  consume(queue: string, prefetch: number, onDelivery: (delivery: BrokerDelivery) => void): string;
  /** Stops a consumer; its unsettled deliveries may still be settled. */
  cancel(consumerTag: string): void;
  /** Removes a delivered message; false when the tag is stale or already settled. */
  ack(tag: number): boolean;
  /**
   * Enqueues a copy of a delivered message at the back of `queue` with
   * `headers` merged in, then acks it; false when the tag is stale.
   */
  republish(tag: number, queue: string, headers: Record<string, string | number>): boolean;
  /** Cancels every consumer and returns unsettled deliveries to the front of their queues. */
  close(): void;
}

interface Pending {
  readonly queue: Queue;
  readonly entry: Entry;
  readonly consumer: Consumer;
}

type Lookup = (queue: string, action: string) => Queue;

/** An in-process broker; several transports may connect to one, like several connections. */
export class MemoryBroker {
  readonly #exchanges = new Map<string, Set<Queue>>();
  readonly #queues = new Map<string, Queue>();
  readonly #deliveryLimit: number;

  /** Creates an empty broker. */
  constructor(options: MemoryBrokerOptions = {}) {
    const limit = options.deliveryLimit ?? 20;
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RangeError(`Invalid delivery limit "${limit}": expected a whole number from 0`);
    }
    this.#deliveryLimit = limit;
  }

  /** Declares a fan-out exchange; idempotent. */
  declareExchange(name: string): void {
    if (!this.#exchanges.has(name)) this.#exchanges.set(name, new Set());
  }

  /** Declares a queue; idempotent (the first declaration's options stay). */
  declareQueue(name: string, options: DeclareQueueOptions = {}): void {
    if (this.#queues.has(name)) return;
    const dead = options.deadLetterQueue;
    const deadLetter = () => dead === undefined ? undefined : this.#queues.get(dead);
    const queue = new Queue(name, deadLetter, this.#deliveryLimit);
    queue.singleActive = options.singleActiveConsumer ?? false;
    this.#queues.set(name, queue);
  }

  /** Binds a queue to an exchange; idempotent. */
  bindQueue(queue: string, exchange: string): void {
    this.#exchange(exchange, "bind to").add(this.#queue(queue, "bind"));
  }

  /** Deletes a queue, unbinding it and cancelling its consumers; idempotent. */
  deleteQueue(name: string): void {
    const queue = this.#queues.get(name);
    if (queue === undefined) return;
    this.#queues.delete(name);
    for (const bound of this.#exchanges.values()) bound.delete(queue);
    for (const consumer of [...queue.consumers]) queue.removeConsumer(consumer.tag);
  }

  /** Copies a message into every queue bound to the exchange; returns how many took it. */
  publish(exchange: string, message: BrokerMessage): number {
    const bound = this.#exchange(exchange, "publish to");
    const stored = { ...copyMessage(message, {}), exchange };
    for (const queue of bound) queue.push(stored);
    return bound.size;
  }

  /** Copies a message to the back of one queue, like AMQP's default exchange. */
  sendToQueue(queue: string, message: BrokerMessage): void {
    this.#queue(queue, "send to").push({ ...copyMessage(message, {}), exchange: "" });
  }

  /** Opens a connection to consume and settle with. */
  connect(): MemoryConnection {
    return new Connection((name, action) => this.#queue(name, action));
  }

  /** Every queue with its depth, unacked count and consumers, in declaration order. */
  queues(): QueueStats[] {
    return [...this.#queues.values()].map((q) => ({
      name: q.name,
      messages: q.ready.length,
      unacked: q.unacked,
      consumers: q.consumers.length,
    }));
  }

  /** Removes and returns the ready messages of a queue, oldest first (e.g. a DLQ's). */
  drain(queue: string): BrokerMessage[] {
    return this.#queue(queue, "drain").ready.splice(0).map((entry) =>
      copyMessage(entry.message, {})
    );
  }

  #exchange(name: string, action: string): Set<Queue> {
    const bound = this.#exchanges.get(name);
    if (bound === undefined) {
      throw new RangeError(`Cannot ${action} exchange "${name}": it does not exist`);
    }
    return bound;
  }

  #queue(name: string, action: string): Queue {
    const queue = this.#queues.get(name);
    if (queue === undefined) {
      throw new RangeError(`Cannot ${action} queue "${name}": it does not exist`);
    }
    return queue;
  }
}

class Connection implements MemoryConnection {
  readonly #lookup: Lookup;
  readonly #pending = new Map<number, Pending>();
  readonly #consumers = new Map<string, Queue>();
  #closed = false;
  #nextTag = 1;
  #nextConsumer = 1;

  constructor(lookup: Lookup) {
    this.#lookup = lookup;
  }

  get closed(): boolean {
    return this.#closed;
  }

  consume(name: string, prefetch: number, onDelivery: (delivery: BrokerDelivery) => void): string {
    if (this.#closed) throw new RangeError(`Cannot consume queue "${name}": connection is closed`);
    if (!Number.isInteger(prefetch) || prefetch < 1) {
      throw new RangeError(`Invalid prefetch "${prefetch}": expected a whole number from 1`);
    }
    const queue = this.#lookup(name, "consume");
    const tag = `ctag-${this.#nextConsumer++}`;
    const consumer: Consumer = {
      tag,
      prefetch,
      unsettled: 0,
      deliver: (entry) => {
        const deliveryTag = this.#nextTag++;
        this.#pending.set(deliveryTag, { queue, entry, consumer });
        const message = copyMessage(entry.message, {});
        onDelivery({ tag: deliveryTag, queue: name, message, redelivered: entry.redelivered });
      },
    };
    queue.consumers.push(consumer);
    this.#consumers.set(tag, queue);
    queue.schedule();
    return tag;
  }

  cancel(consumerTag: string): void {
    this.#consumers.get(consumerTag)?.removeConsumer(consumerTag);
    this.#consumers.delete(consumerTag);
  }

  ack(tag: number): boolean {
    return this.#settle(tag) !== undefined;
  }

  republish(tag: number, queue: string, headers: Record<string, string | number>): boolean {
    const pending = this.#pending.get(tag);
    if (pending === undefined) return false;
    // Look the target up first: a missing queue must leave the delivery unsettled.
    const target = this.#lookup(queue, "republish to");
    // Through the default exchange, as over AMQP: the copy names no exchange.
    target.push({ ...copyMessage(pending.entry.message, headers), exchange: "" });
    this.#settle(tag);
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tag of [...this.#consumers.keys()]) this.cancel(tag);
    // Newest first, each to the front: the oldest ends up first, as it was.
    for (const tag of [...this.#pending.keys()].reverse()) {
      const pending = this.#settle(tag) as Pending;
      pending.queue.giveBack(pending.entry);
    }
  }

  #settle(tag: number): Pending | undefined {
    const pending = this.#pending.get(tag);
    if (pending === undefined) return undefined;
    this.#pending.delete(tag);
    pending.queue.unacked -= 1;
    pending.consumer.unsettled -= 1;
    pending.queue.schedule();
    return pending;
  }
}
