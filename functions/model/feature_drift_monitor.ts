import type { Context, Gauge } from "../../shared/define_function.ts";
import { FEATURE_NAMES, type FeatureName, type Features } from "../_streams.ts";
import { FeatureDrift } from "./feature_drift.ts";
import type { FeatureReference } from "./feature_reference.ts";
import type { Model } from "./model.ts";

/** A feature's PSI at or above this is a significant shift: logged as "feature drift". */
export const PSI_SIGNIFICANT = 0.2;

/** A drifting feature's PSI must fall below this (no shift) before it is logged again. */
export const PSI_STABLE = 0.1;

/** Options of {@linkcode FeatureDriftMonitor}. */
export interface FeatureDriftMonitorOptions {
  /** How many of the latest observations the PSI is computed over. @default 1000 */
  window?: number;
  /** The gauges are updated once every this many observations. @default 100 */
  every?: number;
  /**
   * No "feature drift" is logged on fewer observations (or on fewer than
   * `window`, when it is smaller): the PSI of a sample of the training data itself is, to second
   * order, χ²(k − 1) / n for k bins, so at 100 observations deciles give 0.09
   * on average and 0.28 one time in a thousand; at 300, 0.03 and 0.093.
   * @default 300
   */
  minObservations?: number;
}

/**
 * Input drift on the model function's `/metrics`: each feature's population
 * stability index, the latest observations against the training data the
 * serving model's file describes, as `model_feature_psi{feature="bmi"}`, and
 * how many observations it is based on, `model_feature_psi_observations`.
 *
 * The gauges are updated every `every` observations. Once the PSI rests on
 * `minObservations`, a feature whose PSI reaches {@linkcode PSI_SIGNIFICANT}
 * is logged once ("feature drift", a warning), and once more when it is back
 * below {@linkcode PSI_STABLE} ("feature drift ended"), so a PSI hovering at
 * the threshold does not log at every update. A model without a reference (`sum`, or a file written
 * before references) is not watched; a reloaded model's reference starts a
 * new window.
 */
export class FeatureDriftMonitor {
  readonly #ctx: Pick<Context, "gauge" | "logger">;
  readonly #window: number;
  readonly #every: number;
  readonly #minObservations: number;
  readonly #drifting = new Set<FeatureName>();
  #drift: FeatureDrift | undefined;
  #sinceUpdate = 0;
  #gauges: { psi: Gauge[]; observations: Gauge } | undefined;

  /** Throws a `RangeError` unless each option is a whole number ≥ 1. */
  constructor(ctx: Pick<Context, "gauge" | "logger">, options: FeatureDriftMonitorOptions = {}) {
    const { window = 1000, every = 100, minObservations = 300 } = options;
    const checked = [["window", window], ["every", every], ["minObservations", minObservations]];
    for (const [name, value] of checked as [string, number][]) {
      if (!(Number.isInteger(value) && value >= 1)) {
        throw new RangeError(
          `Cannot watch feature drift: ${name} "${value}" is not a whole number ≥ 1`,
        );
      }
    }
    this.#ctx = ctx;
    this.#window = window;
    this.#every = every;
    this.#minObservations = Math.min(minObservations, window);
  }

  /** Counts the features of one observation that `model` scores. */
  observe(model: Model, features: Features): void {
    if (model.reference !== this.#drift?.reference) this.#follow(model.reference);
    if (this.#drift === undefined) return;
    this.#drift.observe(features);
    if (++this.#sinceUpdate < this.#every) return;
    this.#sinceUpdate = 0;
    this.#update(this.#drift, model.version);
  }

  #follow(reference: FeatureReference | undefined): void {
    this.#drift = reference && new FeatureDrift(reference, { window: this.#window });
    this.#sinceUpdate = 0;
    this.#drifting.clear();
    this.#gauges?.observations.set(0);
  }

  #update(drift: FeatureDrift, version: string): void {
    const gauges = this.#gauges ??= this.#createGauges();
    const psi = drift.psi();
    const observations = drift.observations;
    gauges.observations.set(observations);
    FEATURE_NAMES.forEach((feature, i) => gauges.psi[i]!.set(psi[feature]));
    if (observations < this.#minObservations) return;
    for (const feature of FEATURE_NAMES) {
      const fields = { feature, psi: psi[feature], observations, version };
      if (psi[feature] >= PSI_SIGNIFICANT && !this.#drifting.has(feature)) {
        this.#drifting.add(feature);
        this.#ctx.logger.warn("feature drift", { ...fields, threshold: PSI_SIGNIFICANT });
      } else if (psi[feature] < PSI_STABLE && this.#drifting.delete(feature)) {
        this.#ctx.logger.info("feature drift ended", fields);
      }
    }
  }

  // Created at the first update: a PSI of 0 before any observation would read "no drift".
  #createGauges(): { psi: Gauge[]; observations: Gauge } {
    return {
      psi: FEATURE_NAMES.map((feature) =>
        this.#ctx.gauge(
          "model_feature_psi",
          "Population stability index of a feature, latest observations against the training data",
          { feature },
        )
      ),
      observations: this.#ctx.gauge(
        "model_feature_psi_observations",
        "Observations the feature PSI is computed over",
      ),
    };
  }
}
