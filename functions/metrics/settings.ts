/**
 * The metrics function's settings: where the metric log goes, and the bounds
 * of its join.
 *
 * @module
 */
import { text, wholeNumber } from "../../shared/settings.ts";
import { logsDir } from "../_settings.ts";

/** What `ctx.config` holds for `metrics`. */
export const metricsSettings = {
  logsDir,
  /**
   * The model whose predictions are joined and logged; other models' predictions are
   * counted and acked, until each model gets its own metric log.
   */
  champion: text("METRICS_CHAMPION", "linear"),
  /** Halves waiting for their partner at most; beyond, the oldest becomes an orphan. */
  pendingMax: wholeNumber("METRICS_PENDING_MAX", { fallback: 1_000_000, min: 1 }),
  /** How long a half may wait for its partner before it becomes an orphan (24 h). */
  orphanAfterMs: wholeNumber("METRICS_ORPHAN_AFTER_MS", { fallback: 86_400_000, min: 1 }),
  /** Written ids remembered to refuse a second row. */
  dedupWindow: wholeNumber("METRICS_DEDUP_WINDOW", { fallback: 1_000_000, min: 1 }),
  /** How long a group commit waits for more rows. */
  flushMs: wholeNumber("METRICS_FLUSH_MS", { fallback: 5, min: 0, max: 10_000 }),
};
