/**
 * A share below this counts as this in {@linkcode populationStabilityIndex}:
 * an empty bin would make `ln(live / reference)` infinite. With it, one bin
 * the training data never filled holding 10% of the live observations adds
 * (0.1 − 0.0001) · ln(0.1 / 0.0001) ≈ 0.69 on its own.
 */
export const PSI_EPSILON = 1e-4;

/**
 * The population stability index of `live` shares against `reference` shares
 * of the same bins: Σ (live − reference) · ln(live / reference), each share
 * at least {@linkcode PSI_EPSILON}. 0 for equal shares, and never negative
 * (each term is a difference times the log of the same ratio). The usual
 * reading: below 0.1 no shift, 0.1 to 0.2 a moderate one, above 0.2 a
 * significant one.
 *
 * Throws a `RangeError` when the two lists differ in length.
 */
export function populationStabilityIndex(
  reference: readonly number[],
  live: readonly number[],
): number {
  if (live.length !== reference.length) {
    throw new RangeError(
      `Cannot compute the PSI: ${live.length} live bins for ${reference.length} reference bins`,
    );
  }
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const expected = Math.max(reference[i]!, PSI_EPSILON);
    const actual = Math.max(live[i]!, PSI_EPSILON);
    psi += (actual - expected) * Math.log(actual / expected);
  }
  return psi;
}
