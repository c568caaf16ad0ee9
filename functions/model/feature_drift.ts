import { FEATURE_NAMES, type FeatureName, type Features } from "../_streams.ts";
import { binIndex } from "./bin_index.ts";
import type { FeatureReference } from "./feature_reference.ts";
import { populationStabilityIndex } from "./population_stability_index.ts";

/** Options of {@linkcode FeatureDrift}. */
export interface FeatureDriftOptions {
  /** How many of the latest observations the live distribution is made of. @default 1000 */
  window?: number;
}

/**
 * The live distribution of each feature over the latest observations, in the
 * bins of a {@linkcode FeatureReference}, and its population stability index
 * against the reference.
 *
 * An observation costs one binary search per feature; the window remembers
 * each observation's bins (one byte per feature) to take them out again when
 * it slides on, so a shift shows however long the stream has run.
 */
export class FeatureDrift {
  /** The bins and training shares compared with. */
  readonly reference: FeatureReference;
  readonly #window: number;
  readonly #counts: Uint32Array[];
  readonly #edges: (readonly number[])[];
  readonly #bins: Uint8Array;
  #next = 0;
  #size = 0;

  /** Throws a `RangeError` unless `window` is a whole number ≥ 1. */
  constructor(reference: FeatureReference, options: FeatureDriftOptions = {}) {
    const { window = 1000 } = options;
    if (!(Number.isInteger(window) && window >= 1)) {
      throw new RangeError(
        `Cannot watch feature drift: window "${window}" is not a whole number ≥ 1`,
      );
    }
    this.reference = reference;
    this.#window = window;
    this.#edges = FEATURE_NAMES.map((name) => reference[name].edges);
    this.#counts = this.#edges.map((edges) => new Uint32Array(edges.length + 1));
    this.#bins = new Uint8Array(window * FEATURE_NAMES.length);
  }

  /** How many observations the live distribution holds: up to the window. */
  get observations(): number {
    return this.#size;
  }

  /** Counts one observation in, and the oldest out once the window is full. */
  observe(features: Features): void {
    const offset = this.#next * FEATURE_NAMES.length;
    const full = this.#size === this.#window;
    for (let f = 0; f < FEATURE_NAMES.length; f++) {
      const counts = this.#counts[f]!;
      if (full) counts[this.#bins[offset + f]!]!--;
      const bin = binIndex(this.#edges[f]!, features[FEATURE_NAMES[f]!]);
      this.#bins[offset + f] = bin;
      counts[bin]!++;
    }
    this.#next = (this.#next + 1) % this.#window;
    if (!full) this.#size++;
  }

  /**
   * Each feature's PSI, live against reference (see
   * {@linkcode populationStabilityIndex}). Throws a `RangeError` before the
   * first observation.
   */
  psi(): Record<FeatureName, number> {
    if (this.#size === 0) throw new RangeError("Cannot compute the PSI of no observations");
    return Object.fromEntries(FEATURE_NAMES.map((name, f) => {
      const live = Array.from(this.#counts[f]!, (count) => count / this.#size);
      return [name, populationStabilityIndex(this.reference[name].shares, live)];
    })) as Record<FeatureName, number>;
  }
}
