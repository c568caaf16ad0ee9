/**
 * A clock and scheduler for tests: time moves only when the test says so.
 *
 * @module
 */
import type { Scheduler, TimerId } from "./_scheduler.ts";

interface Timer {
  readonly fn: () => void;
  due: number;
  readonly every: number | undefined;
}

/** A manual clock that fires due timers when advanced. */
export class FakeClock implements Scheduler {
  #now: number;
  #nextId = 1;
  #timers = new Map<number, Timer>();

  /** Starts the clock at `start` ms. */
  constructor(start = 1_000_000) {
    this.#now = start;
  }

  /** The current fake time. */
  now = (): number => this.#now;

  /** Timers not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next[1].due > end) break;
      const [id, timer] = next;
      this.#now = timer.due;
      if (timer.every === undefined) this.#timers.delete(id);
      else timer.due += timer.every;
      timer.fn();
    }
    this.#now = end;
  }

  /** Schedules `fn` once. */
  setTimeout(fn: () => void, ms: number): TimerId {
    return this.#add({ fn, due: this.#now + ms, every: undefined });
  }

  /** Cancels a one-shot timer. */
  clearTimeout(id: TimerId): void {
    if (typeof id === "number") this.#timers.delete(id);
  }

  /** Schedules `fn` repeatedly. */
  setInterval(fn: () => void, ms: number): TimerId {
    return this.#add({ fn, due: this.#now + ms, every: Math.max(1, ms) });
  }

  /** Cancels a repeating timer. */
  clearInterval(id: TimerId): void {
    if (typeof id === "number") this.#timers.delete(id);
  }

  #add(timer: Timer): number {
    const id = this.#nextId++;
    this.#timers.set(id, timer);
    return id;
  }

  #earliest(): [number, Timer] | undefined {
    let best: [number, Timer] | undefined;
    for (const entry of this.#timers) {
      if (best === undefined || entry[1].due < best[1].due) best = entry;
    }
    return best;
  }
}
