/**
 * Coalesces the acks of one AMQP channel into few `basic.ack` frames.
 *
 * Written by hand: amqplib acks one tag at a time and no well-kept library
 * batches acks for it.
 *
 * @module
 */

/** Sends one `basic.ack`. */
export type SendAck = (deliveryTag: number, multiple: boolean) => void;

/** Schedules a flush. */
export type ScheduleFlush = (flush: () => void) => void;

/**
 * Collects settled delivery tags of one channel and, once per scheduled
 * flush, acks the highest contiguous settled tag with `multiple = true`.
 * Tags settled out of order beyond a gap are acked one by one, so a message
 * that never settles does not hold later ones (and their prefetch slots).
 */
export class AckBatcher {
  #send: SendAck;
  #schedule: ScheduleFlush;
  /** Every tag up to this one is acked. */
  #floor = 0;
  /** Settled, not sent yet. */
  #pending = new Set<number>();
  /** Sent one by one above the floor. */
  #sent = new Set<number>();
  #scheduled = false;
  #closed = false;
  #frames = 0;

  /** Creates a batcher that sends through `send` and flushes when `schedule` says. */
  constructor(send: SendAck, schedule: ScheduleFlush) {
    this.#send = send;
    this.#schedule = schedule;
  }

  /** How many `basic.ack` frames were sent. */
  get frames(): number {
    return this.#frames;
  }

  /** True once the channel died: settles are dropped. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Marks a tag settled; the ack goes out on the next flush. */
  settle(deliveryTag: number): void {
    if (this.#closed) return;
    this.#pending.add(deliveryTag);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => this.flush());
  }

  /**
   * Marks a tag settled by a `basic.nack` already sent: a later multiple ack
   * steps over it, and none names it (it is no longer outstanding).
   */
  rejected(deliveryTag: number): void {
    if (this.#closed || deliveryTag <= this.#floor) return;
    this.#sent.add(deliveryTag);
  }

  /** Sends the acks collected so far. */
  flush(): void {
    this.#scheduled = false;
    if (this.#closed || this.#pending.size === 0) return;
    let top = this.#floor;
    let lastPending = this.#floor;
    for (;;) {
      const next = top + 1;
      if (this.#pending.delete(next)) lastPending = next;
      else if (!this.#sent.delete(next)) break;
      top = next;
    }
    // A multiple ack covers only tags still outstanding, but its own tag must
    // be outstanding too (acking a tag twice closes the channel): so it names
    // the last unsent tag, not a tag already acked one by one.
    if (lastPending > this.#floor) this.#ack(lastPending, true);
    this.#floor = top;
    for (const tag of this.#pending) {
      this.#ack(tag, false);
      this.#sent.add(tag);
    }
    this.#pending.clear();
  }

  /**
   * Forgets everything: the channel died, and its tags mean nothing on the
   * next one (acking a stale tag would close the new channel).
   */
  close(): void {
    this.#closed = true;
    this.#pending.clear();
    this.#sent.clear();
  }

  #ack(tag: number, multiple: boolean): void {
    this.#frames++;
    this.#send(tag, multiple);
  }
}
