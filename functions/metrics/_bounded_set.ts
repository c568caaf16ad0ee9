/**
 * A set of strings that forgets its oldest members beyond a capacity.
 *
 * @module
 */

/** An insertion-ordered set capped at `capacity`; adding beyond it drops the oldest. */
export class BoundedSet {
  readonly #members = new Set<string>();
  // Members in insertion order, as a ring. Dropping via the Set's own order
  // (`values().next()`) is quadratic in V8: the iterator skips every deleted
  // slot, 49 s for 1.4 M adds against 1.4 s this way.
  readonly #order: (string | undefined)[];
  #oldest = 0;

  /** Creates an empty set holding at most `capacity` members. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create a bounded set of capacity "${capacity}": expected a whole number from 1`,
      );
    }
    this.#order = new Array(capacity);
  }

  /** The number of members. */
  get size(): number {
    return this.#members.size;
  }

  /** True when `value` is a member. */
  has(value: string): boolean {
    return this.#members.has(value);
  }

  /** Adds `value` as the newest member, dropping the oldest when full; a member stays put. */
  add(value: string): void {
    if (this.#members.has(value)) return;
    const dropped = this.#order[this.#oldest];
    if (dropped !== undefined) this.#members.delete(dropped);
    this.#order[this.#oldest] = value;
    this.#oldest = (this.#oldest + 1) % this.#order.length;
    this.#members.add(value);
  }
}
