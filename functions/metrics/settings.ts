/**
 * The metrics function's settings: where the metric logs go, which models are
 * joined, and the bounds of the join.
 *
 * @module
 */
import { wholeNumber } from "../../shared/settings.ts";
import { challengers, champion, logsDir } from "../_settings.ts";

/** What `ctx.config` holds for `metrics`. */
export const metricsSettings = {
  logsDir,
  /** The model whose rows go to `metric_log.csv`. */
  champion,
  /** The other models joined, each into its own `metric_log.<model>.csv`. */
  challengers,
  /** Halves waiting for their partner at most; beyond, the oldest becomes an orphan. */
  pendingMax: wholeNumber("METRICS_PENDING_MAX", { fallback: 1_000_000, min: 1 }),
  /** How long a half may wait for its partner before it becomes an orphan (24 h). */
  orphanAfterMs: wholeNumber("METRICS_ORPHAN_AFTER_MS", { fallback: 86_400_000, min: 1 }),
  /** Written ids remembered to refuse a second row. */
  dedupWindow: wholeNumber("METRICS_DEDUP_WINDOW", { fallback: 1_000_000, min: 1 }),
  /** How long a group commit waits for more rows. */
  flushMs: wholeNumber("METRICS_FLUSH_MS", { fallback: 5, min: 0, max: 10_000 }),
};
