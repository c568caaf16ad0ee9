/**
 * What the live page is sent: bins and figures, never rows, so its size does
 * not grow with the metric logs: one series per model, the champion first,
 * all on the same bin edges, and each challenger's verdict.
 *
 * @module
 */
import type { Histogram } from "./histogram.ts";
import type { ErrorSummary } from "./histogram_chart.ts";
import { type ModelVerdict, verdictText } from "./model_verdict.ts";

/** One histogram and its figures, as the page shows them. */
export interface SeriesView {
  /** The model the errors are of. */
  readonly name: string;
  /** True for the champion's series. */
  readonly champion: boolean;
  readonly rows: number;
  /** Mean absolute error; null when there are no rows. */
  readonly mae: number | null;
  /** Root mean square error; null when there are no rows. */
  readonly rmse: number | null;
  /** Rows per second over the last seconds; null until two refreshes saw rows. */
  readonly rowsPerSecond: number | null;
  /** Milliseconds since the epoch when the plot read the newest rows; null before any. */
  readonly lastRowAt: number | null;
  /** `counts.length + 1` ascending bin edges, exactly those of the PNG. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** A challenger's verdict against the champion, as the page shows it. */
export interface VerdictView {
  readonly champion: string;
  readonly challenger: string;
  readonly verdict: ModelVerdict["verdict"];
  /** Observations both models have a row for. */
  readonly pairs: number;
  /** Mean of `challenger error − champion error`; null without pairs. */
  readonly meanDifference: number | null;
  /** The interval of the mean difference; null with fewer than 2 pairs. */
  readonly low: number | null;
  readonly high: number | null;
  /** The line the PNG's subtitle shows. */
  readonly text: string;
}

/** One update of the live page. */
export interface LiveSnapshot {
  /** Increases with every update. */
  readonly version: number;
  readonly series: readonly SeriesView[];
  /** One per challenger, in the order of the series; empty without challengers. */
  readonly verdicts: readonly VerdictView[];
}

/** What {@linkcode seriesView} needs beside the histogram. */
export interface SeriesFacts {
  readonly name: string;
  readonly champion: boolean;
  readonly summary: ErrorSummary;
  /** When the plot read the newest rows, milliseconds since the epoch; null before any. */
  readonly at: number | null;
  readonly rowsPerSecond: number | null;
}

/** Builds the view of one series from a histogram and its summary. */
export function seriesView(histogram: Histogram, facts: SeriesFacts): SeriesView {
  const { summary } = facts;
  return {
    name: facts.name,
    champion: facts.champion,
    rows: summary.rows,
    mae: Number.isFinite(summary.mae) ? summary.mae : null,
    rmse: Number.isFinite(summary.rmse) ? summary.rmse : null,
    rowsPerSecond: facts.rowsPerSecond,
    lastRowAt: facts.at,
    edges: histogram.edges,
    counts: histogram.counts,
  };
}

/** Builds the view of a verdict. */
export function verdictView(verdict: ModelVerdict): VerdictView {
  return {
    champion: verdict.champion,
    challenger: verdict.challenger,
    verdict: verdict.verdict,
    pairs: verdict.pairs,
    meanDifference: verdict.pairs === 0 ? null : verdict.meanDifference,
    low: verdict.interval?.[0] ?? null,
    high: verdict.interval?.[1] ?? null,
    text: verdictText(verdict),
  };
}
