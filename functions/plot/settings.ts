/**
 * The plot function's settings: where the metric logs are, which models they
 * are of, how often to redraw and the picture's size.
 *
 * @module
 */
import { wholeNumber } from "../../shared/settings.ts";
import { challengers, champion, logsDir } from "../_settings.ts";

/** What `ctx.config` holds for `plot`. */
export const plotSettings = {
  logsDir,
  champion,
  challengers,
  /** The pause between two reads of the metric logs. */
  intervalMs: wholeNumber("PLOT_INTERVAL_MS", { fallback: 5000, min: 10 }),
  width: wholeNumber("PLOT_WIDTH", { fallback: 800, min: 100, max: 8000 }),
  height: wholeNumber("PLOT_HEIGHT", { fallback: 500, min: 100, max: 8000 }),
};
