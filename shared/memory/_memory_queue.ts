/**
 * One queue of the embedded broker: ready messages, its consumers in
 * round-robin with their prefetch, and the delivery limit that dead-letters a
 * message which keeps coming back unsettled.
 *
 * @module
 */
import { clearImmediate, setImmediate } from "node:timers";
import type { BrokerMessage } from "./memory_broker.ts";
import { DEATH_REASON_HEADER } from "../runtime/transport.ts";

/** The `x-death-reason` of a message that exceeded the delivery limit. */
export const DELIVERY_LIMIT_REASON = "delivery limit exceeded";

/** A message waiting in a queue. */
export interface Entry {
  readonly message: BrokerMessage;
  readonly redelivered: boolean;
  /** How often it came back unsettled. */
  readonly returns: number;
}

/** A consumer of a queue and its unsettled count. */
export interface Consumer {
  readonly tag: string;
  readonly prefetch: number;
  unsettled: number;
  deliver(entry: Entry): void;
}

/** A queue with its consumers. */
export class Queue {
  readonly ready: Entry[] = [];
  readonly consumers: Consumer[] = [];
  unacked = 0;
  /** Only the oldest consumer receives (`x-single-active-consumer`). */
  singleActive = false;
  #next = 0;
  #pump: ReturnType<typeof setImmediate> | undefined;

  constructor(
    readonly name: string,
    /** Looked up on use: like RabbitMQ, a missing dead-letter queue drops the message. */
    readonly deadLetter: () => Queue | undefined,
    readonly deliveryLimit: number,
  ) {}

  push(message: BrokerMessage): void {
    this.ready.push({ message, redelivered: false, returns: 0 });
    this.schedule();
  }

  /** An unsettled delivery whose connection went away goes back to the front. */
  giveBack(entry: Entry): void {
    const returns = entry.returns + 1;
    if (returns > this.deliveryLimit) {
      const reason = { [DEATH_REASON_HEADER]: DELIVERY_LIMIT_REASON };
      this.deadLetter()?.push(copyMessage(entry.message, reason));
      return;
    }
    this.ready.unshift({ message: entry.message, redelivered: true, returns });
    this.schedule();
  }

  /**
   * Delivers on a later turn of the event loop: never inside publish or ack,
   * and setImmediate (unlike microtasks) lets timers and I/O run in between.
   */
  schedule(): void {
    if (this.#pump !== undefined || this.ready.length === 0) return;
    if (!this.#eligible().some((c) => c.unsettled < c.prefetch)) return;
    this.#pump = setImmediate(() => {
      this.#pump = undefined;
      this.#deliverAll();
    });
  }

  removeConsumer(tag: string): void {
    const index = this.consumers.findIndex((c) => c.tag === tag);
    if (index === -1) return;
    this.consumers.splice(index, 1);
    if (this.#next > index) this.#next -= 1;
    if (this.consumers.length === 0 && this.#pump !== undefined) {
      clearImmediate(this.#pump);
      this.#pump = undefined;
    }
  }

  #deliverAll(): void {
    try {
      while (this.ready.length > 0) {
        const consumer = this.#nextFree();
        if (consumer === undefined) return;
        const entry = this.ready.shift() as Entry;
        this.unacked += 1;
        consumer.unsettled += 1;
        consumer.deliver(entry);
      }
    } finally {
      // A consumer callback that throws must not stall the queue.
      this.schedule();
    }
  }

  /** Those that may receive: all, or the oldest alone when single-active. */
  #eligible(): Consumer[] {
    return this.singleActive ? this.consumers.slice(0, 1) : this.consumers;
  }

  /** Round-robin over the eligible consumers with a free prefetch slot. */
  #nextFree(): Consumer | undefined {
    const eligible = this.#eligible();
    const count = eligible.length;
    for (let i = 0; i < count; i++) {
      const index = (this.#next + i) % count;
      const consumer = eligible[index] as Consumer;
      if (consumer.unsettled < consumer.prefetch) {
        this.#next = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }
}

/** A copy of a message with headers merged in; the broker never shares a body. */
export function copyMessage(
  message: BrokerMessage,
  headers: Record<string, string | number>,
): BrokerMessage {
  return {
    ...message,
    body: message.body.slice(),
    headers: { ...message.headers, ...headers },
  };
}
