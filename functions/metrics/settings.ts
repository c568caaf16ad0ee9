/**
 * The metrics function's settings: where the metric log goes, and the bounds
 * of its join.
 *
 * @module
 */
import { wholeNumber } from "../../shared/settings.ts";
import { logsDir } from "../_settings.ts";

/** What `ctx.config` holds for `metrics`. */
export const metricsSettings = {
  logsDir,
  /** Halves waiting for their partner at most. */
  pendingMax: wholeNumber("METRICS_PENDING_MAX", { fallback: 10_000, min: 1 }),
  /** How long a half waits for its partner before it is retried. */
  pendingTtlMs: wholeNumber("METRICS_PENDING_TTL_MS", { fallback: 30_000, min: 1 }),
  /** Written ids remembered to refuse a second row. */
  dedupWindow: wholeNumber("METRICS_DEDUP_WINDOW", { fallback: 1_000_000, min: 1 }),
  /** How long a group commit waits for more rows. */
  flushMs: wholeNumber("METRICS_FLUSH_MS", { fallback: 5, min: 0, max: 10_000 }),
};
