/**
 * The training data's distribution of each input feature, stored in the
 * model file by `deno task train`: the reference the live stream's features
 * are compared with for input drift (see `FeatureDrift`).
 *
 * @module
 */
import jStat from "jstat";
import { z } from "zod";
import { FEATURE_NAMES, type FeatureName, type Features } from "../_streams.ts";
import { binIndex } from "./bin_index.ts";
import { missingOr } from "./_parse_model_file.ts";

/** At most this many edges, so a bin index fits a byte. */
export const MAX_EDGES = 255;

const binsSchema = z.object({
  /** Ascending, no two equal: `edges.length + 1` bins, as {@linkcode binIndex} counts them. */
  edges: z.array(z.number(missingOr("must hold numbers")), missingOr("must be an array"))
    .min(1, { error: "must hold at least one edge" })
    .max(MAX_EDGES, { error: `must hold at most ${MAX_EDGES} edges` })
    .refine((edges) => edges.every((edge, i) => i === 0 || edges[i - 1]! < edge), {
      error: "must be strictly ascending",
    }),
  /** The training rows' share per bin, summing to 1. */
  shares: z.array(
    z.number(missingOr("must hold numbers")).min(0, { error: "must lie in 0..1" })
      .max(1, { error: "must lie in 0..1" }),
    missingOr("must be an array"),
  ).refine((shares) => Math.abs(shares.reduce((sum, share) => sum + share, 0) - 1) < 1e-9, {
    error: "must sum to 1",
  }),
}, missingOr("must be an object")).refine(
  (bins) => bins.shares.length === bins.edges.length + 1,
  { error: "must hold one share more than edges", path: ["shares"] },
);

/** The schema of a model file's `reference`: all ten features' bins. */
export const FeatureReferenceSchema = z.strictObject(
  Object.fromEntries(FEATURE_NAMES.map((name) => [name, binsSchema])) as Record<
    FeatureName,
    typeof binsSchema
  >,
  missingOr("must be an object"),
);

/** Every feature's bins, as a model file holds them. */
export type FeatureReference = z.infer<typeof FeatureReferenceSchema>;

/** One feature's bins: where they part and the share of the training rows in each. */
export type FeatureBins = FeatureReference[FeatureName];

/** Options of {@linkcode featureReference}. */
export interface FeatureReferenceOptions {
  /** Bins per feature, parted at the quantiles 1/bins, 2/bins, ... @default 10 (deciles) */
  bins?: number;
}

/** The part of jstat used here (the package ships no types). */
interface JStatSubset {
  quantiles(values: number[], probabilities: number[], alphap: number, betap: number): number[];
}

const stats = jStat as JStatSubset;

/**
 * Bins each feature of the training rows at its quantiles (deciles by
 * default) and counts the rows into those bins. Tied quantiles make one edge,
 * so a feature of few values (sex has two) gets fewer bins, and the shares
 * say how full each one really is. Throws a `RangeError` for fewer than 2 rows.
 */
export function featureReference(
  rows: readonly Features[],
  options: FeatureReferenceOptions = {},
): FeatureReference {
  const { bins = 10 } = options;
  if (rows.length < 2) {
    throw new RangeError(
      `Cannot describe the training features: expected at least 2 rows, got ${rows.length}`,
    );
  }
  if (!(Number.isInteger(bins) && bins >= 2 && bins <= MAX_EDGES + 1)) {
    throw new RangeError(`Cannot bin the training features into "${bins}" bins: expected 2..256`);
  }
  const probabilities = Array.from({ length: bins - 1 }, (_, i) => (i + 1) / bins);
  return Object.fromEntries(FEATURE_NAMES.map((name) => {
    const values = rows.map((row) => row[name]);
    // alphap = betap = 1: linear interpolation between order statistics, numpy's
    // default, so `np.quantile` gives the same edges.
    const edges = stats.quantiles(values, probabilities, 1, 1)
      .filter((edge, i, all) => i === 0 || all[i - 1]! < edge);
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const value of values) counts[binIndex(edges, value)]!++;
    return [name, { edges, shares: counts.map((count) => count / values.length) }];
  })) as Record<FeatureName, FeatureBins>;
}
