/** How far predictions lie from the truth. */
export interface Scores {
  /** Mean absolute error. */
  readonly mae: number;
  /** Root mean squared error. */
  readonly rmse: number;
  /** Coefficient of determination: 1 - residual / total sum of squares. */
  readonly r2: number;
}

/**
 * Scores predictions against the truth, pair by pair. Written by hand: the
 * project's only numeric dependency (ml-regression-multivariate-linear) has
 * no scoring, and these are three textbook sums.
 */
export function scorePredictions(actual: readonly number[], predicted: readonly number[]): Scores {
  const n = actual.length;
  if (predicted.length !== n) {
    throw new RangeError(
      `Cannot score predictions: ${predicted.length} predictions for ${n} true values`,
    );
  }
  if (n === 0) throw new RangeError("Cannot score predictions: there are none");
  let mean = 0;
  for (const y of actual) mean += y;
  mean /= n;
  let absolute = 0;
  let squared = 0;
  let total = 0;
  actual.forEach((y, i) => {
    const residual = y - predicted[i]!;
    absolute += Math.abs(residual);
    squared += residual * residual;
    total += (y - mean) * (y - mean);
  });
  return { mae: absolute / n, rmse: Math.sqrt(squared / n), r2: 1 - squared / total };
}
