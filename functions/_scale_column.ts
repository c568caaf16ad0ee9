/** Scales one column the way scikit-learn's `load_diabetes(scaled=True)` does. */
export function scaleColumn(values: readonly number[]): number[] {
  const n = values.length;
  if (n < 2) {
    throw new RangeError(`Cannot scale a column of ${n} value(s): expected at least 2`);
  }
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / n;
  const centred = values.map((value) => value - mean);
  let squares = 0;
  for (const value of centred) squares += value * value;
  // Population standard deviation (ddof = 0), as scikit-learn's `scale` uses;
  // dividing by it and by √n leaves each column with a sum of squares of 1.
  const std = Math.sqrt(squares / n);
  if (std === 0) {
    throw new RangeError(`Cannot scale a constant column: every value is "${values[0]}"`);
  }
  const divisor = std * Math.sqrt(n);
  return centred.map((value) => value / divisor);
}
