/**
 * Timers behind a narrow interface so the join, the sink and the status report
 * can be driven by a fake clock in tests instead of sleeps.
 *
 * @module
 */

/** An opaque timer handle; only the scheduler that made it can clear it. */
export type TimerId = unknown;

type GlobalTimer = ReturnType<typeof setTimeout>;

/** The timer functions this folder uses. */
export interface Scheduler {
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer from {@linkcode Scheduler.setTimeout}. */
  clearTimeout(id: TimerId): void;
  /** Runs `fn` every `ms`. */
  setInterval(fn: () => void, ms: number): TimerId;
  /** Cancels a timer from {@linkcode Scheduler.setInterval}. */
  clearInterval(id: TimerId): void;
}

/** The global timers. */
export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as GlobalTimer),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id as GlobalTimer),
};
