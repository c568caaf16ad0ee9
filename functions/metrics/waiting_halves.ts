/**
 * The halves waiting for their partner, in memory, by id, in arrival order:
 * what the join looks up for every message. The journal holds the same halves
 * on disk; this is their index.
 *
 * @module
 */
import type { Side, StoredHalf } from "./half_journal.ts";

/** A waiting half. */
export interface WaitingHalf extends StoredHalf {
  /** The publisher's timestamp, for the end-to-end latency. */
  readonly stamp: number;
}

/** Waiting halves by id; the first entry is the oldest. */
export class WaitingHalves {
  // The half's own object, the one its commit holds too: no copy per half.
  readonly #byId = new Map<string, WaitingHalf>();
  #truths = 0;

  /** Ids waiting. */
  get size(): number {
    return this.#byId.size;
  }

  /** Waiting halves of one side. */
  count(side: Side): number {
    return side === "y_true" ? this.#truths : this.#byId.size - this.#truths;
  }

  /** The half waiting under `id`, if any. */
  get(id: string): WaitingHalf | undefined {
    return this.#byId.get(id);
  }

  /** Adds a half under a new id (a known id is left as it is). */
  add(half: StoredHalf): void {
    if (this.#byId.has(half.id)) return;
    const waiting = half.stamp === undefined ? { ...half, stamp: half.since } : half as WaitingHalf;
    this.#byId.set(half.id, waiting);
    if (half.side === "y_true") this.#truths++;
  }

  /** Removes and returns the half under `id`. */
  take(id: string): WaitingHalf | undefined {
    const half = this.#byId.get(id);
    if (half === undefined) return undefined;
    this.#byId.delete(id);
    if (half.side === "y_true") this.#truths--;
    return half;
  }

  /** How long the oldest half has waited at `now`, in ms; 0 when none waits. */
  oldestAgeMs(now: number): number {
    const oldest = this.#byId.values().next();
    return oldest.done ? 0 : Math.max(0, now - oldest.value.since);
  }

  /** Removes and returns, oldest first, the halves that arrived at or before `cutoff`. */
  takeSince(cutoff: number): StoredHalf[] {
    const taken: StoredHalf[] = [];
    for (const half of this.#byId.values()) {
      if (half.since > cutoff) break;
      taken.push(half);
    }
    for (const { id } of taken) this.take(id);
    return taken;
  }

  /** Removes and returns the `count` oldest halves. */
  takeOldest(count: number): StoredHalf[] {
    const taken: StoredHalf[] = [];
    for (const half of this.#byId.values()) {
      if (taken.length >= count) break;
      taken.push(half);
    }
    for (const { id } of taken) this.take(id);
    return taken;
  }

  /** Every waiting half, oldest first. */
  halves(): IterableIterator<StoredHalf> {
    return this.#byId.values();
  }
}
