/**
 * A growable list of numbers in a `Float64Array`: 8 bytes a value, where an
 * `Array<number>` of a million values would box and cost more.
 *
 * @module
 */

/** Numbers appended one by one, read back as one `Float64Array`. */
export class FloatList {
  #values: Float64Array;
  #length = 0;

  /** Creates an empty list with room for `capacity` values before it grows. */
  constructor(capacity = 1024) {
    this.#values = new Float64Array(Math.max(1, capacity));
  }

  /** How many values were pushed. */
  get length(): number {
    return this.#length;
  }

  /** Appends one value. */
  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  /** The values pushed so far; a view the next `push` may invalidate. */
  view(): Float64Array {
    return this.#values.subarray(0, this.#length);
  }
}
