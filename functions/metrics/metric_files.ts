/**
 * The names of one model's files in `LOGS_DIR`: its metric log, its journal
 * of waiting halves and its orphans. The champion's are the pipeline's
 * historical names (`metric_log.csv`, `metric_halves.jsonl`,
 * `metric_orphans.csv`); a challenger's carry its name
 * (`metric_log.forest.csv`, `metric_halves.forest.jsonl`,
 * `metric_orphans.forest.csv`), so each model's join keeps every guarantee
 * of the champion's on files of its own.
 *
 * @module
 */
import { metricLogFile } from "../_metric_log.ts";

/** One model's file names, inside `LOGS_DIR`. */
export interface MetricFiles {
  /** `id,y_true,y_pred,error`, one row per id. */
  readonly log: string;
  /** The halves waiting for their partner. */
  readonly journal: string;
  /** Halves given up, with their reason. */
  readonly orphans: string;
}

/** The files of `model`'s join when `champion` is the champion. */
export function metricFiles(model: string, champion: string): MetricFiles {
  const suffix = model === champion ? "" : `.${model}`;
  return {
    log: metricLogFile(model, champion),
    journal: `metric_halves${suffix}.jsonl`,
    orphans: `metric_orphans${suffix}.csv`,
  };
}

/** The champion's files, as the pipeline has always named them. */
export const CHAMPION_FILES: MetricFiles = metricFiles("", "");
