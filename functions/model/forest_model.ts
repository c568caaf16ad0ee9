import { RandomForestRegression } from "ml-random-forest";
import { z } from "zod";
import { FEATURE_NAMES, type Features } from "../_streams.ts";
import { FeatureReferenceSchema } from "./feature_reference.ts";
import type { Model } from "./model.ts";
import { missingOr, parseModelFile } from "./_parse_model_file.ts";

const number = z.number(missingOr("must be a number"));
const whole = z.int(missingOr("must be a whole number")).positive({ error: "must be positive" });
const scores = z.object({ mae: number, rmse: number, r2: number }, missingOr("must be an object"));

/** The schema of `model.forest.json`: the forest as ml-random-forest exports it, and its fit. */
export const ForestModelFileSchema = z.object({
  forest: z.looseObject({
    name: z.literal("RFRegression", missingOr('must be "RFRegression"')),
    baseModel: z.looseObject({
      estimators: z.array(z.looseObject({}), missingOr("must be an array"))
        .min(1, { error: "must hold at least one tree" }),
    }, missingOr("must be an object")),
  }, missingOr("must be an object")),
  training: z.object({
    n: whole,
    mae: number,
    rmse: number,
    r2: number,
    /** Out-of-bag scores: each row predicted only by the trees that did not see it. */
    oob: scores,
    trees: whole,
    seed: z.int(missingOr("must be a whole number")),
    fittedAt: z.iso.datetime(
      missingOr("must be an ISO date-time like 2025-01-31T12:00:00.000Z"),
    ),
  }, missingOr("must be an object")),
  /** The training features' bins; files written before it load without input drift. */
  reference: FeatureReferenceSchema.optional(),
}, { error: "must be a JSON object" });

/** What `model.forest.json` holds: the fitted random forest and how well it fit. */
export type ForestModelFile = z.infer<typeof ForestModelFileSchema>;

/** The forest of a checked file, ready to predict. */
export interface ParsedForest {
  readonly file: ForestModelFile;
  readonly forest: RandomForestRegression;
}

/**
 * Checks the text of `model.forest.json` and rebuilds its trees; `source`
 * names the file in error messages. Throws like {@linkcode parseModelFile},
 * and a `TypeError` when the trees cannot be rebuilt or do not predict a
 * finite number, so a damaged file never serves.
 */
export function parseForestModel(text: string, source: string): ParsedForest {
  const file = parseModelFile(text, source, ForestModelFileSchema);
  let forest: RandomForestRegression;
  let probe: number | undefined;
  try {
    // deno-lint-ignore no-explicit-any
    forest = RandomForestRegression.load(file.forest as any);
    probe = forest.predict([FEATURE_NAMES.map(() => 0)])[0];
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new TypeError(`Cannot load the model "${source}": its trees are damaged: ${detail}`, {
      cause,
    });
  }
  if (probe === undefined || !Number.isFinite(probe)) {
    throw new TypeError(
      `Cannot load the model "${source}": its trees predict "${probe}" for all-zero features`,
    );
  }
  return { file, forest };
}

/** Options of {@linkcode forestModel}. */
export interface ForestModelOptions {
  /** The version sent with predictions. @default the fit's `fittedAt` */
  version?: string;
}

/** The random forest of a `model.forest.json`: the mean of its trees' predictions. */
export function forestModel(parsed: ParsedForest, options: ForestModelOptions = {}): Model {
  const { forest, file } = parsed;
  return Object.freeze({
    name: "forest",
    version: options.version ?? file.training.fittedAt,
    reference: file.reference,
    predict(features: Features): number {
      return forest.predict([FEATURE_NAMES.map((name) => features[name])])[0]!;
    },
  });
}
