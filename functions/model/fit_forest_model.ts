import { RandomForestRegression } from "ml-random-forest";
import { FEATURE_NAMES } from "../_streams.ts";
import type { TrainingRow } from "./fit_linear_model.ts";
import { featureReference } from "./feature_reference.ts";
import type { ForestModelFile } from "./forest_model.ts";
import { scorePredictions } from "./score_predictions.ts";

/** Options of {@linkcode fitForestModel}. */
export interface FitForestModelOptions {
  /** Seeds the choice of rows and features of each tree: same seed, same forest. @default 2026 */
  seed?: number;
  /** Number of trees. @default 50 */
  trees?: number;
  /** Recorded as `training.fittedAt`. @default new Date() */
  fittedAt?: Date;
}

/**
 * Fits a random forest of regression trees (ml-random-forest: each tree on a
 * bootstrap sample of the rows and 60% of the features, at most 6 deep, leaves
 * of at least 20 rows) and scores it on the rows it was fitted on and out of
 * bag, and bins the rows' features (the reference of input drift, see
 * {@linkcode featureReference}). The result is what `model.forest.json` holds.
 */
export function fitForestModel(
  rows: readonly TrainingRow[],
  options: FitForestModelOptions = {},
): ForestModelFile {
  const seed = options.seed ?? 2026;
  const trees = options.trees ?? 50;
  if (rows.length < 2) {
    throw new RangeError(
      `Cannot fit the forest model: expected at least 2 rows, got ${rows.length}`,
    );
  }
  const x = rows.map((row) => FEATURE_NAMES.map((name) => row.features[name]));
  const targets = rows.map((row) => row.target);
  const forest = new RandomForestRegression({
    seed,
    nEstimators: trees,
    maxFeatures: 0.6,
    replacement: false,
    useSampleBagging: true,
    treeOptions: { maxDepth: 6, minNumSamples: 20 },
  });
  forest.train(x, targets);
  const { mae, rmse, r2 } = scorePredictions(targets, forest.predict(x));
  return {
    forest: forest.toJSON() as unknown as ForestModelFile["forest"],
    training: {
      n: rows.length,
      mae,
      rmse,
      r2,
      oob: scorePredictions(targets, forest.predictOOB()),
      trees,
      seed,
      fittedAt: (options.fittedAt ?? new Date()).toISOString(),
    },
    reference: featureReference(rows.map((row) => row.features)),
  };
}
