import { FEATURE_NAMES, type Features } from "../_streams.ts";
import type { Model } from "./model.ts";

function sumFeatures(features: Features): number {
  let sum = 0;
  for (const name of FEATURE_NAMES) sum += features[name];
  return sum;
}

/**
 * The teaching model: the sum of the ten scaled features. Its predictions lie
 * near 0, far from targets of 25..346, which makes a bad model easy to spot.
 */
export const sumModel: Model = Object.freeze({ name: "sum", version: "1", predict: sumFeatures });
