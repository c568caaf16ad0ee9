/**
 * The model function's settings: which model, an artificial delay per
 * message to simulate a slow one, and the window of input drift.
 *
 * @module
 */
import { oneOf, wholeNumber } from "../../shared/settings.ts";
import { dataDir } from "../_settings.ts";

/** The models `MODEL` may name. */
export const MODEL_KINDS = ["linear", "sum", "forest"] as const;

/** What `ctx.config` holds for `model`. */
export const modelSettings = {
  dataDir,
  /** "linear" or "forest" (fitted by `deno task train` into data/model.json, data/model.forest.json) or "sum". */
  kind: oneOf("MODEL", MODEL_KINDS, "linear"),
  /** Milliseconds of simulated inference per message, one message at a time. */
  delayMs: wholeNumber("MODEL_DELAY_MS", { fallback: 0, min: 0, max: 60_000 }),
  /** Milliseconds between checks of the model file for a new fit; 0 never checks. */
  reloadMs: wholeNumber("MODEL_RELOAD_MS", { fallback: 1000, min: 0, max: 3_600_000 }),
  /**
   * How many of the latest observations each feature's PSI against the
   * training data covers; at least 300, as fewer are too noisy for the 0.2
   * threshold (see `FeatureDriftMonitorOptions.minObservations`).
   */
  driftWindow: wholeNumber("MODEL_DRIFT_WINDOW", { fallback: 1000, min: 300, max: 1_000_000 }),
};
