/**
 * Rows per second over the last few seconds, from the row counts the plot
 * function sees at each refresh that changed something.
 *
 * @module
 */

/** Options of {@linkcode RowRate}. */
export interface RowRateOptions {
  /** How far back the rate looks, in milliseconds. @default 10000 */
  windowMs?: number;
}

/** Rows per second over a sliding window of (time, rows) samples. */
export class RowRate {
  readonly #windowMs: number;
  #samples: [at: number, rows: number][] = [];

  /** Creates an empty rate. */
  constructor(options: RowRateOptions = {}) {
    this.#windowMs = options.windowMs ?? 10_000;
    if (!(this.#windowMs > 0)) {
      throw new RangeError(`Cannot measure a rate: windowMs "${this.#windowMs}" is not > 0`);
    }
  }

  /**
   * Records that `rows` rows were held at `at` (milliseconds) and returns the
   * rows per second since the oldest sample of the window; null with one sample
   * only, or when the count went down (the log was read again from the start).
   */
  update(at: number, rows: number): number | null {
    const last = this.#samples.at(-1);
    if (last !== undefined && (rows < last[1] || at < last[0])) this.#samples = [];
    this.#samples.push([at, rows]);
    // Keeps one sample at or before the window's start, so the rate spans the whole window.
    while (this.#samples.length > 2 && this.#samples[1]![0] <= at - this.#windowMs) {
      this.#samples.shift();
    }
    const [firstAt, firstRows] = this.#samples[0]!;
    if (at === firstAt) return null;
    return (rows - firstRows) * 1000 / (at - firstAt);
  }
}
