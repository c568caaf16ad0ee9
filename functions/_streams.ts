/**
 * The three streams of the pipeline and the schema of each one's payload.
 *
 * A stream is what a publisher addresses; it never knows who consumes it.
 *
 * @module
 */
import { z } from "zod";

/** The names of the streams, exactly as RabbitMQ shows them. */
export const STREAM_NAMES = [
  "features/X",
  "features/Y_true",
  "predictions/Y_pred",
] as const;

/** One of the pipeline's stream names. */
export type StreamName = typeof STREAM_NAMES[number];

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

/** Payload schema of each stream; unknown keys are refused. */
export const STREAM_SCHEMAS = {
  "features/X": z.strictObject(
    Object.fromEntries(FEATURE_NAMES.map((name) => [name, finite])) as Record<
      FeatureName,
      typeof finite
    >,
  ),
  "features/Y_true": z.strictObject({ y_true: yValue }),
  "predictions/Y_pred": z.strictObject({
    y_pred: yValue,
    model: z.strictObject({
      name: z.string().min(1).max(64),
      version: z.string().min(1).max(64),
    }),
  }),
} as const;

/** The payload type carried by a stream. */
export type StreamData<S extends StreamName> = z.infer<typeof STREAM_SCHEMAS[S]>;

/** The ten features of one observation. */
export type Features = StreamData<"features/X">;
