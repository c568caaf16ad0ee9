/**
 * The metric log: the CSV the metrics function appends and the plot reads,
 * one `id,y_true,y_pred,error` row per observation. Its one definition.
 *
 * @module
 */

/** The file's name inside the logs directory. */
export const METRIC_LOG_FILE = "metric_log.csv";

/** The columns, in order. */
export const METRIC_LOG_COLUMNS = ["id", "y_true", "y_pred", "error"] as const;

/** The header line, without its newline. */
export const METRIC_LOG_HEADER = METRIC_LOG_COLUMNS.join(",");

/** The file the histogram of the errors is drawn to, beside the metric log. */
export const ERROR_PLOT_FILE = "error_distribution.png";

/** One row of the metric log. */
export interface MetricRow {
  readonly id: string;
  readonly yTrue: number;
  readonly yPred: number;
  /** `|yTrue - yPred|`. */
  readonly error: number;
}

/** The metric log of `model`: {@linkcode METRIC_LOG_FILE} for the champion, `metric_log.<model>.csv` for another. */
export function metricLogFile(model: string, champion: string): string {
  return model === champion ? METRIC_LOG_FILE : `metric_log.${model}.csv`;
}
