/**
 * What the live page is sent: bins and figures, never rows, so its size does
 * not grow with the metric log. A list of series leaves room for several
 * models' histograms on one page.
 *
 * @module
 */
import type { Histogram } from "./histogram.ts";
import type { ErrorSummary } from "./histogram_chart.ts";

/** One histogram and its figures, as the page shows them. */
export interface SeriesView {
  /** What the errors come from. */
  readonly name: string;
  readonly rows: number;
  /** Mean absolute error; null when there are no rows. */
  readonly mae: number | null;
  /** Root mean square error; null when there are no rows. */
  readonly rmse: number | null;
  /** Rows per second over the last seconds; null until two refreshes saw rows. */
  readonly rowsPerSecond: number | null;
  /** Milliseconds since the epoch when the plot read the newest rows. */
  readonly lastRowAt: number;
  /** `counts.length + 1` ascending bin edges, exactly those of the PNG. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** One update of the live page. */
export interface LiveSnapshot {
  /** Increases with every update. */
  readonly version: number;
  readonly series: readonly SeriesView[];
}

/** What {@linkcode seriesView} needs beside the histogram. */
export interface SeriesFacts {
  readonly name: string;
  readonly summary: ErrorSummary;
  /** When the plot read the newest rows, milliseconds since the epoch. */
  readonly at: number;
  readonly rowsPerSecond: number | null;
}

/** Builds the view of one series from a histogram and its summary. */
export function seriesView(histogram: Histogram, facts: SeriesFacts): SeriesView {
  const { summary } = facts;
  return {
    name: facts.name,
    rows: summary.rows,
    mae: Number.isFinite(summary.mae) ? summary.mae : null,
    rmse: Number.isFinite(summary.rmse) ? summary.rmse : null,
    rowsPerSecond: facts.rowsPerSecond,
    lastRowAt: facts.at,
    edges: histogram.edges,
    counts: histogram.counts,
  };
}
