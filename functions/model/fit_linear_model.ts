import MultivariateLinearRegression from "ml-regression-multivariate-linear";
import { FEATURE_NAMES, type FeatureName, type Features } from "../_streams.ts";
import { featureReference } from "./feature_reference.ts";
import type { LinearModelFile } from "./linear_model.ts";
import { scorePredictions } from "./score_predictions.ts";

/** One training observation. */
export interface TrainingRow {
  readonly features: Features;
  readonly target: number;
}

/** Options of {@linkcode fitLinearModel}. */
export interface FitLinearModelOptions {
  /** Recorded as `training.fittedAt`. @default new Date() */
  fittedAt?: Date;
}

/**
 * Fits ordinary least squares with an intercept, scores the fit on the rows
 * it was fitted on and bins their features (the reference of input drift,
 * see {@linkcode featureReference}). The result is what `model.json` holds, keys in a
 * stable order.
 */
export function fitLinearModel(
  rows: readonly TrainingRow[],
  options: FitLinearModelOptions = {},
): LinearModelFile {
  if (rows.length <= FEATURE_NAMES.length) {
    throw new RangeError(
      `Cannot fit the linear model: expected more than ${FEATURE_NAMES.length} rows, got ${rows.length}`,
    );
  }
  const x = rows.map((row) => FEATURE_NAMES.map((name) => row.features[name]));
  const targets = rows.map((row) => row.target);
  const regression = new MultivariateLinearRegression(x, targets.map((y) => [y]), {
    intercept: true,
    statistics: false,
  });
  // One weight row per feature in input order, then the intercept's.
  const weights = regression.weights.map((row) => row[0]!);
  const { mae, rmse, r2 } = scorePredictions(
    targets,
    regression.predict(x).map((row) => row[0]!),
  );
  return {
    intercept: weights[FEATURE_NAMES.length]!,
    coefficients: Object.fromEntries(
      FEATURE_NAMES.map((name, i) => [name, weights[i]!]),
    ) as Record<FeatureName, number>,
    training: {
      n: rows.length,
      mae,
      rmse,
      r2,
      fittedAt: (options.fittedAt ?? new Date()).toISOString(),
    },
    reference: featureReference(rows.map((row) => row.features)),
  };
}
