/**
 * How the plot writes a figure (an error, MAE, RMSE, a bin edge): four
 * significant digits, which read well for errors of any scale (0.001234,
 * 43.28). The live page's script writes them the same way.
 *
 * @module
 */

/** Four significant digits, without trailing zeros; "n/a" for NaN or ±Infinity. */
export function formatFigure(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : "n/a";
}
