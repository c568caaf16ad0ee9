/**
 * Pairs the truth and the prediction of one observation by its id, whichever
 * comes first, and holds each half's promise until the pair is written.
 *
 * @module
 */
import { PermanentError } from "../../shared/errors.ts";
import { realScheduler } from "./_scheduler.ts";
import type { Scheduler, TimerId } from "./_scheduler.ts";

/** Which half of a pair a message carries. */
export type Side = "y_true" | "y_pred";

/** Why a waiting half was given up. */
export type EvictReason = "ttl" | "cap" | "closed";

/** Writes a completed pair; the halves settle with its promise. */
export type WritePair = (id: string, yTrue: number, yPred: number) => Promise<unknown>;

/** Options of {@linkcode JoinById}. */
export interface JoinByIdOptions {
  /** How long a half waits for its partner. @default 30_000 */
  ttlMs?: number;
  /** Ids waiting at most; a new one beyond this evicts the oldest. @default 10_000 */
  maxPending?: number;
  /** How often expired halves are swept. @default min(ttlMs, 1000) */
  sweepMs?: number;
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** Timers. @default realScheduler */
  scheduler?: Scheduler;
  /** Told of every id given up, with the error its halves rejected with. */
  onEvict?: (id: string, reason: EvictReason, error: Error) => void;
  /** Told of every half refused for a value that differs from the waiting one. */
  onConflict?: (id: string, error: PermanentError) => void;
}

interface Half {
  readonly value: number;
  readonly waiters: PromiseWithResolvers<void>[];
}

interface Entry {
  readonly since: number;
  readonly halves: Partial<Record<Side, Half>>;
}

/**
 * The pending join. Memory is bounded by `maxPending`; a timer sweeps halves
 * older than `ttlMs` so a missing partner never wedges the consumer (their
 * messages reject and go back to the queue). Call {@linkcode JoinById.close}
 * to stop the timer.
 */
export class JoinById {
  readonly #write: WritePair;
  readonly #ttlMs: number;
  readonly #maxPending: number;
  readonly #now: () => number;
  readonly #scheduler: Scheduler;
  readonly #options: JoinByIdOptions;
  // Insertion order is arrival order, so the first entry is the oldest.
  readonly #pending = new Map<string, Entry>();
  readonly #sweepTimer: TimerId;
  #closed = false;

  /** Starts an empty join that hands completed pairs to `write`; starts the sweep timer. */
  constructor(write: WritePair, options: JoinByIdOptions = {}) {
    this.#write = write;
    this.#options = options;
    this.#ttlMs = positive("ttlMs", options.ttlMs ?? 30_000);
    this.#maxPending = positive("maxPending", options.maxPending ?? 10_000);
    this.#now = options.now ?? Date.now;
    this.#scheduler = options.scheduler ?? realScheduler;
    const sweepMs = positive("sweepMs", options.sweepMs ?? Math.min(this.#ttlMs, 1000));
    this.#sweepTimer = this.#scheduler.setInterval(() => this.sweep(), sweepMs);
  }

  /** Ids waiting for a partner. */
  get size(): number {
    return this.#pending.size;
  }

  /** How long the oldest waiting half has waited, in ms; 0 when none waits. */
  oldestAgeMs(): number {
    const oldest = this.#pending.values().next();
    return oldest.done ? 0 : Math.max(0, this.#now() - oldest.value.since);
  }

  /**
   * Adds one half; resolves when its pair is written, rejects when it is
   * evicted (retryable) or conflicts with the waiting value (PermanentError).
   */
  offer(id: string, side: Side, value: number): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(id));
    this.sweep();
    const waiter = Promise.withResolvers<void>();
    const entry = this.#pending.get(id);
    if (entry === undefined) {
      this.#pending.set(id, { since: this.#now(), halves: { [side]: half(value, waiter) } });
      this.#enforceCap();
      return waiter.promise;
    }
    const waiting = entry.halves[side];
    if (waiting === undefined) {
      entry.halves[side] = half(value, waiter);
      this.#complete(id, entry);
    } else if (waiting.value === value) {
      // A redelivery of the waiting half: settle both copies with the pair.
      waiting.waiters.push(waiter);
    } else {
      const error = new PermanentError(
        `Conflicting ${side} for id "${id}": kept "${waiting.value}", refused "${value}"`,
      );
      this.#options.onConflict?.(id, error);
      waiter.reject(error);
    }
    return waiter.promise;
  }

  /** Evicts every half older than the TTL; returns how many ids went. */
  sweep(): number {
    const now = this.#now();
    let evicted = 0;
    for (const [id, entry] of this.#pending) {
      if (now - entry.since < this.#ttlMs) break;
      const missing = entry.halves.y_true === undefined ? "y_true" : "y_pred";
      this.#evict(
        id,
        "ttl",
        new Error(`Cannot pair id "${id}": no ${missing} arrived within ${this.#ttlMs} ms`),
      );
      evicted++;
    }
    return evicted;
  }

  /** Stops the sweep and rejects every waiting half (retryable) so it returns to its queue. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#scheduler.clearInterval(this.#sweepTimer);
    for (const id of [...this.#pending.keys()]) this.#evict(id, "closed", closedError(id));
  }

  #enforceCap(): void {
    while (this.#pending.size > this.#maxPending) {
      const oldest = this.#pending.keys().next();
      if (oldest.done) return;
      const id = oldest.value;
      this.#evict(
        id,
        "cap",
        new Error(`Cannot pair id "${id}": evicted as the oldest of ${this.#maxPending} pending`),
      );
    }
  }

  #evict(id: string, reason: EvictReason, error: Error): void {
    const entry = this.#pending.get(id);
    if (entry === undefined) return;
    this.#pending.delete(id);
    this.#options.onEvict?.(id, reason, error);
    for (const waiter of waitersOf(entry)) waiter.reject(error);
  }

  #complete(id: string, entry: Entry): void {
    this.#pending.delete(id);
    const { y_true: truth, y_pred: prediction } = entry.halves;
    if (truth === undefined || prediction === undefined) {
      throw new TypeError(`Cannot complete id "${id}": a half is missing`);
    }
    const waiters = waitersOf(entry);
    let written: Promise<unknown>;
    try {
      written = this.#write(id, truth.value, prediction.value);
    } catch (error) {
      written = Promise.reject(error);
    }
    written.then(
      () => waiters.forEach((waiter) => waiter.resolve()),
      (error) => waiters.forEach((waiter) => waiter.reject(error)),
    );
  }
}

function half(value: number, waiter: PromiseWithResolvers<void>): Half {
  return { value, waiters: [waiter] };
}

function waitersOf(entry: Entry): PromiseWithResolvers<void>[] {
  return [...(entry.halves.y_true?.waiters ?? []), ...(entry.halves.y_pred?.waiters ?? [])];
}

function closedError(id: string): Error {
  return new Error(`Cannot pair id "${id}": the join is closing`);
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `Cannot create a join with ${name} "${value}": expected a positive number`,
    );
  }
  return value;
}
