/**
 * Bins for a histogram of absolute errors: the Freedman–Diaconis width, or
 * Sturges' rule when the interquartile range is 0.
 *
 * Written by hand: chart.js draws bars but does not bin, and no well-kept
 * package in this project's dependencies does; the rule is a few lines.
 *
 * @module
 */

/** Which rule chose the bin count. */
export type BinRule = "freedman-diaconis" | "sturges" | "none";

/** Equal-width bins over the range of the values. */
export interface Histogram {
  /** `counts.length + 1` ascending edges; bin `i` is `[edges[i], edges[i + 1])`, the last closed. */
  readonly edges: readonly number[];
  /** Values per bin. */
  readonly counts: readonly number[];
  /** "none" when there are no values. */
  readonly rule: BinRule;
}

/** Options of {@linkcode histogram}. */
export interface HistogramOptions {
  /** The most bins drawn, whatever the rule says. @default 100 */
  maxBins?: number;
  /** The values are already ascending, so no sorted copy is made. @default false */
  sorted?: boolean;
}

/** Bins values with the Freedman–Diaconis rule (Sturges when the IQR is 0). */
export function histogram(values: ArrayLike<number>, options: HistogramOptions = {}): Histogram {
  const maxBins = options.maxBins ?? 100;
  if (!Number.isInteger(maxBins) || maxBins < 1) {
    throw new RangeError(`Cannot bin values: maxBins "${maxBins}" is not a whole number >= 1`);
  }
  const sorted = options.sorted ? values : Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { edges: [], counts: [], rule: "none" };
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const rule: BinRule = iqr > 0 ? "freedman-diaconis" : "sturges";
  const wanted = rule === "freedman-diaconis"
    ? Math.ceil((max - min) / (2 * iqr * Math.cbrt(1 / n)))
    : Math.ceil(Math.log2(n)) + 1;
  const bins = max === min ? 1 : Math.min(maxBins, Math.max(1, wanted));
  const edges = binEdges(min, max, bins);
  return { edges, counts: countInBins(sorted, edges), rule };
}

/** Quantile of ascending values by linear interpolation (R type 7, numpy's default). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError("Cannot take a quantile: no values");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Cannot take a quantile: p "${p}" is not in 0..1`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const below = sorted[lo]!;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return below + (h - lo) * (above - below);
}

// Like numpy's histogram_bin_edges: the count comes from the rule, the width is
// then range / count so the bins cover the values exactly; the last edge is max
// itself rather than a sum that may round below it.
function binEdges(min: number, max: number, bins: number): number[] {
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  edges[bins] = max;
  return edges;
}

/**
 * Counts ascending values in the bins of `edges` (bin `i` is
 * `[edges[i], edges[i + 1])`, the last closed); a value below the first edge
 * counts in the first bin and one above the last in the last, so pass edges
 * that span the values. No edges, no bins: `[]`.
 */
export function countInBins(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  // One pass; comparing against the edges themselves keeps a value that sits on
  // an edge in the bin the edges say, with no rounding.
  const bins = edges.length - 1;
  if (bins < 1) return [];
  const counts = new Array<number>(bins).fill(0);
  let i = 0;
  for (let bin = 0; bin < bins - 1; bin++) {
    const upper = edges[bin + 1]!;
    const start = i;
    while (i < sorted.length && sorted[i]! < upper) i++;
    counts[bin] = i - start;
  }
  counts[bins - 1] = sorted.length - i;
  return counts;
}
