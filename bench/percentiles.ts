/**
 * Percentiles of a sample by the nearest-rank method, for latencies.
 *
 * @module
 */

/** The summary of a sample; every field is `NaN` for an empty one. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank p50, p95, p99 and the maximum of `values` (not modified). */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number) =>
    sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(p / 100 * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
  };
}
