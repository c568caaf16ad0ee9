import { z } from "zod";
import { FEATURE_NAMES, type FeatureName, type Features } from "../_streams.ts";
import { FeatureReferenceSchema } from "./feature_reference.ts";
import type { Model } from "./model.ts";
import { parseModelFile } from "./_parse_model_file.ts";

function numberField(kind: "number" | "whole number") {
  return { error: (issue: { input: unknown }) => missingOr(issue, `must be a ${kind}`) };
}

function missingOr(issue: { input: unknown }, message: string): string {
  return issue.input === undefined ? "is missing" : message;
}

const coefficient = z.number(numberField("number"));

/** The schema of `model.json`; fields beyond these are ignored, unknown features are not. */
export const LinearModelFileSchema = z.object({
  intercept: coefficient,
  coefficients: z.strictObject(
    Object.fromEntries(FEATURE_NAMES.map((name) => [name, coefficient])) as Record<
      FeatureName,
      typeof coefficient
    >,
    { error: (issue) => missingOr(issue, "must be an object") },
  ),
  training: z.object({
    n: z.int(numberField("whole number")).positive({ error: "must be positive" }),
    mae: coefficient,
    rmse: coefficient,
    r2: coefficient,
    fittedAt: z.iso.datetime({
      error: (issue) => missingOr(issue, "must be an ISO date-time like 2025-01-31T12:00:00.000Z"),
    }),
  }, { error: (issue) => missingOr(issue, "must be an object") }),
  /** The training features' bins; files written before it load without input drift. */
  reference: FeatureReferenceSchema.optional(),
}, { error: "must be a JSON object" });

/** What `model.json` holds: the fitted linear model and how well it fit. */
export type LinearModelFile = z.infer<typeof LinearModelFileSchema>;

/**
 * Checks the text of `model.json`; `source` names the file in error messages.
 * Throws a `SyntaxError` for text that is not JSON and a `TypeError` naming
 * the first field at fault for JSON of the wrong shape.
 */
export function parseLinearModel(text: string, source: string): LinearModelFile {
  return parseModelFile(text, source, LinearModelFileSchema);
}

/** Options of {@linkcode linearModel}. */
export interface LinearModelOptions {
  /** The version sent with predictions. @default the fit's `fittedAt` */
  version?: string;
}

/** The ordinary least squares model of a `model.json`. */
export function linearModel(file: LinearModelFile, options: LinearModelOptions = {}): Model {
  const { intercept, coefficients } = file;
  return Object.freeze({
    name: "linear",
    version: options.version ?? file.training.fittedAt,
    reference: file.reference,
    predict(features: Features): number {
      let y = intercept;
      for (const name of FEATURE_NAMES) y += coefficients[name] * features[name];
      return y;
    },
  });
}
