/**
 * Every error read so far, kept ascending in one growable `Float64Array`, with
 * the running sums MAE and RMSE need.
 *
 * Why ascending: the bin rule needs quartiles of all errors, and sorting a
 * million values again on every refresh costs about 120 ms; merging a sorted
 * batch of k new values into the sorted array costs O(n + k log k), a few ms.
 * A histogram does not need file order, so no second copy is kept.
 *
 * @module
 */

const INITIAL_CAPACITY = 1024;

/** All errors read so far, ascending, with their count, MAE and RMSE. */
export class SortedErrors {
  #values = new Float64Array(INITIAL_CAPACITY);
  #length = 0;
  #sum = 0;
  #sumSquares = 0;

  /** How many errors are held. */
  get length(): number {
    return this.#length;
  }

  /** Mean absolute error (the mean of the errors); NaN when empty. */
  get mae(): number {
    return this.#length === 0 ? NaN : this.#sum / this.#length;
  }

  /** Root mean square error; NaN when empty. */
  get rmse(): number {
    return this.#length === 0 ? NaN : Math.sqrt(this.#sumSquares / this.#length);
  }

  /** The errors, ascending; a view that the next `add` or `clear` invalidates. */
  values(): Float64Array {
    return this.#values.subarray(0, this.#length);
  }

  /** Adds a batch; sorts `batch` in place, then merges it in. */
  add(batch: Float64Array): void {
    const k = batch.length;
    if (k === 0) return;
    batch.sort();
    for (let j = 0; j < k; j++) {
      const value = batch[j]!;
      this.#sum += value;
      this.#sumSquares += value * value;
    }
    this.#reserve(this.#length + k);
    // Merge from the back so the free tail of the array is the only buffer.
    const values = this.#values;
    let i = this.#length - 1;
    let j = k - 1;
    for (let write = this.#length + k - 1; j >= 0; write--) {
      if (i >= 0 && values[i]! > batch[j]!) values[write] = values[i--]!;
      else values[write] = batch[j--]!;
    }
    this.#length += k;
  }

  /** Forgets every error and gives the memory back. */
  clear(): void {
    this.#values = new Float64Array(INITIAL_CAPACITY);
    this.#length = 0;
    this.#sum = 0;
    this.#sumSquares = 0;
  }

  #reserve(needed: number): void {
    if (needed <= this.#values.length) return;
    let capacity = this.#values.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Float64Array(capacity);
    grown.set(this.#values.subarray(0, this.#length));
    this.#values = grown;
  }
}
