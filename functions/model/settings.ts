/**
 * The model function's settings: which model, and an artificial delay per
 * message to simulate a slow one.
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
};
