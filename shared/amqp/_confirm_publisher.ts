/**
 * Publishes over a confirm channel that may be replaced by recovery: many
 * publishes in flight, each settled by its own confirm, re-sent after a
 * reconnect when the channel died unconfirmed.
 *
 * Written by hand: amqplib confirms a publish but neither tells it apart
 * from a `basic.return` nor re-sends across a reconnect.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import type { ConfirmChannel, Message, Options } from "amqplib";
import { PipelineError } from "../errors.ts";

/** Header that ties a `basic.return` to its publish; deliveries drop it. */
export const PUBLISH_SEQ_HEADER = "x-publish-seq";

interface Entry {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
  readonly label: string;
  seq: number;
  channel: ConfirmChannel | undefined;
  returned: boolean;
  resolve(): void;
  reject(error: Error): void;
}

/** Sends publishes in order, keeps them until confirmed, re-sends the unconfirmed. */
export class ConfirmPublisher {
  #channel: ConfirmChannel | undefined;
  #waiting: Entry[] = [];
  #inflight = new Map<number, Entry>();
  #seq = 0;
  #blocked = false;
  #draining = false;
  #accepting = true;
  #onIdle: (() => void) | undefined;
  #onResend: (count: number) => void;

  /** `onResend` hears how many unconfirmed publishes a dead channel left to send again. */
  constructor(onResend: (count: number) => void = () => {}) {
    this.#onResend = onResend;
  }

  /** Publishes not confirmed yet, sent or waiting. */
  get pending(): number {
    return this.#waiting.length + this.#inflight.size;
  }

  /**
   * Resolves once confirmed and routed; rejects "UNROUTABLE" on a return,
   * "PUBLISH_REJECTED" on a nack, "TRANSPORT_CLOSED" once closed.
   */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish & { readonly label: string },
  ): Promise<void> {
    if (!this.#accepting) return Promise.reject(closedError(options.label));
    const { label, ...publishOptions } = options;
    return new Promise((resolve, reject) => {
      this.#waiting.push({
        exchange,
        routingKey,
        content,
        options: { ...publishOptions, persistent: true, mandatory: true },
        label,
        seq: 0,
        channel: undefined,
        returned: false,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  /** Starts sending over a fresh confirm channel. */
  attach(channel: ConfirmChannel): void {
    // Prepended so the unconfirmed are taken back before amqplib fails their callbacks.
    channel.prependListener("close", () => this.#detach(channel));
    channel.on("return", (message: Message) => this.#onReturn(message));
    this.#channel = channel;
    this.#draining = false;
    this.#pump();
  }

  /** Holds publishes while the broker blocks this connection (a resource alarm). */
  setBlocked(blocked: boolean): void {
    this.#blocked = blocked;
    this.#pump();
  }

  /**
   * Stops taking publishes, waits up to `timeoutMs` for those already taken,
   * then rejects the rest with "TRANSPORT_CLOSED".
   */
  async close(timeoutMs: number): Promise<void> {
    this.#accepting = false;
    if (this.pending > 0 && timeoutMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#onIdle = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.#onIdle = undefined;
    }
    const left = [...this.#waiting, ...this.#inflight.values()];
    this.#waiting = [];
    this.#inflight.clear();
    for (const entry of left) entry.reject(closedError(entry.label));
  }

  #pump(): void {
    for (;;) {
      const channel = this.#channel;
      if (channel === undefined || this.#blocked || this.#draining) return;
      const entry = this.#waiting.shift();
      if (entry === undefined) return;
      this.#send(channel, entry);
    }
  }

  #send(channel: ConfirmChannel, entry: Entry): void {
    entry.seq = ++this.#seq;
    entry.channel = channel;
    entry.returned = false;
    this.#inflight.set(entry.seq, entry);
    const headers = { ...entry.options.headers, [PUBLISH_SEQ_HEADER]: entry.seq };
    let flushed: boolean;
    try {
      flushed = channel.publish(
        entry.exchange,
        entry.routingKey,
        entry.content,
        { ...entry.options, headers },
        (error: unknown) => this.#onConfirm(channel, entry, error),
      );
    } catch {
      // The channel is closing; its close event re-queues this entry.
      this.#channel = undefined;
      return;
    }
    if (!flushed) {
      this.#draining = true;
      channel.once("drain", () => {
        if (this.#channel !== channel) return;
        this.#draining = false;
        this.#pump();
      });
    }
  }

  #onConfirm(channel: ConfirmChannel, entry: Entry, error: unknown): void {
    // A channel that died calls back with an error after #detach re-queued the entry.
    if (entry.channel !== channel || this.#inflight.get(entry.seq) !== entry) return;
    this.#inflight.delete(entry.seq);
    if (error) {
      entry.reject(
        new PipelineError(
          "PUBLISH_REJECTED",
          `Cannot publish ${entry.label}: the broker refused it`,
          { cause: error },
        ),
      );
    } else if (entry.returned) {
      entry.reject(
        new PipelineError("UNROUTABLE", `Cannot publish ${entry.label}: no queue is bound`),
      );
    } else {
      entry.resolve();
    }
    if (this.pending === 0) this.#onIdle?.();
  }

  #onReturn(message: Message): void {
    const seq = message.properties.headers?.[PUBLISH_SEQ_HEADER];
    const entry = typeof seq === "number" ? this.#inflight.get(seq) : undefined;
    if (entry !== undefined) entry.returned = true;
  }

  #detach(channel: ConfirmChannel): void {
    if (this.#channel === channel) this.#channel = undefined;
    const lost = [...this.#inflight.values()].filter((entry) => entry.channel === channel);
    for (const entry of lost) {
      this.#inflight.delete(entry.seq);
      entry.channel = undefined;
    }
    // Back at the front, in their first order: re-sent after recovery (at least once).
    this.#waiting.unshift(...lost);
    if (lost.length > 0) this.#onResend(lost.length);
  }
}

function closedError(label: string): PipelineError {
  return new PipelineError("TRANSPORT_CLOSED", `Cannot publish ${label}: the transport is closed`);
}
