/**
 * The pipeline's three streams and the schema of each one's payload. A stream
 * is what a publisher addresses; it never knows who consumes it.
 *
 * @module
 */
import { z } from "zod";
import { defineStream } from "../shared/define_stream.ts";

/** The ten features of the diabetes data set, in the data set's column order. */
export const FEATURE_NAMES = [
  "age",
  "sex",
  "bmi",
  "bp",
  "s1",
  "s2",
  "s3",
  "s4",
  "s5",
  "s6",
] as const;

/** One of the ten feature names. */
export type FeatureName = typeof FEATURE_NAMES[number];

const finite = z.number().refine(Number.isFinite, "must be a finite number");

/** A target or prediction outside this range is not a sane disease progression score. */
export const Y_RANGE = { min: -10_000, max: 10_000 } as const;

const yValue = finite.refine(
  (y) => y >= Y_RANGE.min && y <= Y_RANGE.max,
  `must lie in ${Y_RANGE.min}..${Y_RANGE.max}`,
);

/** The ten scaled features of one observation. */
export const FEATURES_X = defineStream(
  "features/X",
  z.strictObject(
    Object.fromEntries(FEATURE_NAMES.map((name) => [name, finite])) as Record<
      FeatureName,
      typeof finite
    >,
  ),
);

/** The observed disease progression of one observation. */
export const FEATURES_Y_TRUE = defineStream(
  "features/Y_true",
  z.strictObject({ y_true: yValue }),
);

/** A model's prediction for one observation, with the model's name and version. */
export const PREDICTIONS_Y_PRED = defineStream(
  "predictions/Y_pred",
  z.strictObject({
    y_pred: yValue,
    model: z.strictObject({
      name: z.string().min(1).max(64),
      version: z.string().min(1).max(64),
    }),
  }),
);

/** Every stream of the pipeline. */
export const STREAMS = [FEATURES_X, FEATURES_Y_TRUE, PREDICTIONS_Y_PRED] as const;

/** The ten features of one observation. */
export type Features = z.output<typeof FEATURES_X.schema>;
