/**
 * The source's settings: how often it publishes, how many observations, and
 * the seed of its draw.
 *
 * @module
 */
import { wholeNumber } from "../../shared/settings.ts";
import { dataDir } from "../_settings.ts";

/** What `ctx.config` holds for `features`. */
export const featuresSettings = {
  dataDir,
  /** The pause between observations; 0 publishes as fast as the broker confirms. */
  intervalMs: wholeNumber("FEATURES_INTERVAL_MS", { fallback: 1000, min: 0 }),
  /** Observations before the source stops; unset: no end. */
  limit: wholeNumber("FEATURES_LIMIT", { fallback: Infinity, min: 0 }),
  /** Makes the draw reproducible; unset: rows are chosen at random. */
  seed: wholeNumber("FEATURES_SEED", { fallback: undefined, min: 0, max: 2 ** 32 - 1 }),
};
