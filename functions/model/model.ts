import type { MODEL_KINDS } from "./settings.ts";
import type { Features } from "../_streams.ts";
import type { FeatureReference } from "./feature_reference.ts";

/** The models `MODEL` may name. */
export type ModelKind = typeof MODEL_KINDS[number];

/** A regression model: the ten scaled features in, a disease progression score out. */
export interface Model {
  /** Sent with every prediction, e.g. "linear". */
  readonly name: string;
  /** Tells two fits of one model apart, e.g. a hash of its parameters. */
  readonly version: string;
  /** Predicts the target of one observation. */
  predict(features: Features): number;
  /** The training features' distribution, for input drift; absent when its file has none. */
  readonly reference?: FeatureReference | undefined;
}
