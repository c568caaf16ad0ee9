/**
 * When rows were written: polls the CSV's size and keeps the moments it grew,
 * so a fault test can report the longest time without a new row around a
 * fault ({@linkcode longestGap}).
 *
 * @module
 */
import { delay } from "../runtime/backoff.ts";

/** Watches one file's growth until {@linkcode RowClock.stop}. */
export class RowClock {
  /** `Date.now()` of each poll that found the file larger than before. */
  readonly growth: number[] = [];
  #running = true;
  readonly #done: Promise<void>;

  /** Starts polling `path` every `intervalMs` (default 10). */
  constructor(path: string, intervalMs = 10) {
    this.#done = (async () => {
      let size = 0;
      while (this.#running) {
        const now = Date.now();
        const current = await Deno.stat(path).then((info) => info.size, () => 0);
        if (current > size) this.growth.push(now);
        size = current;
        await delay(intervalMs);
      }
    })();
  }

  /** Stops polling. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}

/**
 * The longest time in `[from, to]` without a new row: from `from` to the
 * first growth, and between consecutive growths; `to - from` if none.
 */
export function longestGap(growth: readonly number[], from: number, to: number): number {
  let last = from;
  let longest = 0;
  for (const time of growth) {
    if (time < from) continue;
    if (time > to) break;
    longest = Math.max(longest, time - last);
    last = time;
  }
  return last === from ? to - from : longest;
}
