/**
 * Settings several functions of the pipeline share: where the data set and
 * the model are, where the metric log and the plot go, and which models are
 * compared. Each function that needs one lists it among its own settings.
 *
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../shared/errors.ts";
import { setting, text } from "../shared/settings.ts";

/** The data set and the fitted model. */
export const dataDir = text("DATA_DIR", "./data");

/** The metric log and the histogram. */
export const logsDir = text("LOGS_DIR", "./logs");

// A model's name is part of its files' names (`metric_log.forest.csv`).
const MODEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const modelName = z.string().regex(
  MODEL_NAME,
  "expected a model name: lower-case letters, digits, - and _",
);

/** `CHAMPION` unless set: the model whose predictions metrics joins by default. */
export const DEFAULT_CHAMPION = "linear";

/** The model whose rows go to `metric_log.csv`: the one in service. */
export const champion = setting("CHAMPION", modelName, DEFAULT_CHAMPION);

/**
 * The models compared with the champion, comma-separated: each one's rows go
 * to `metric_log.<name>.csv`. metrics keeps every truth until each of these
 * models' predictions has joined it.
 */
export const challengers = setting(
  "CHALLENGERS",
  z.string().transform((raw) => raw.split(",").map((name) => name.trim())).pipe(
    z.array(modelName).refine(
      (names) => new Set(names).size === names.length,
      "a model is named twice",
    ),
  ),
  [] as readonly string[],
);

/**
 * The models compared, champion first, from the two settings above; a
 * `ConfigError` when `CHALLENGERS` names the champion.
 */
export function comparedModels(
  config: { readonly champion: string; readonly challengers: readonly string[] },
): string[] {
  const { champion, challengers } = config;
  if (challengers.includes(champion)) {
    throw new ConfigError(
      "CHALLENGERS",
      `Invalid CHALLENGERS "${challengers.join(",")}": it names the champion "${champion}"`,
    );
  }
  return [champion, ...challengers];
}
