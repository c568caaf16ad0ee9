/**
 * Histograms of several models' errors on one set of bin edges, so that their
 * bars line up when drawn over each other.
 *
 * The edges are those {@linkcode histogram} chooses for every model's errors
 * together. Edges from the champion's errors alone would leave a challenger's
 * errors beyond the champion's largest outside every bin; the union's range
 * holds each model's errors, so every error of every model is counted. With
 * one model the union is its own errors, so its histogram is exactly the one
 * it would have alone.
 *
 * @module
 */
import { countInBins, type Histogram, histogram } from "./histogram.ts";

/** Options of {@linkcode overlaidHistograms}. */
export interface OverlaidHistogramsOptions {
  /** The most bins, whatever the rule says. @default 100 */
  maxBins?: number;
}

/**
 * Bins each series of ascending values on the edges chosen for all of them
 * together; returns one histogram per series, in order, with identical edges.
 */
export function overlaidHistograms(
  series: readonly ArrayLike<number>[],
  options: OverlaidHistogramsOptions = {},
): Histogram[] {
  const maxBins = options.maxBins ?? 100;
  if (series.length === 1) return [histogram(series[0]!, { sorted: true, maxBins })];
  const all = series.reduce<ArrayLike<number>>(mergeAscending, new Float64Array(0));
  const { edges, rule } = histogram(all, { sorted: true, maxBins });
  return series.map((values) => ({ edges, counts: countInBins(values, edges), rule }));
}

// O(a + b): sorting the concatenation again would cost O(n log n) on every
// refresh, about 120 ms for a million errors.
function mergeAscending(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const merged = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let write = 0; write < merged.length; write++) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) merged[write] = a[i++]!;
    else merged[write] = b[j++]!;
  }
  return merged;
}
