/**
 * What one drawing shows: every model's error histogram on the same bin
 * edges, with its figures, the champion first, and each challenger's verdict
 * against the champion. The PNG and the live page are drawn from it.
 *
 * @module
 */
import type { Histogram } from "./histogram.ts";
import type { ErrorSummary } from "./histogram_chart.ts";
import type { ModelErrors } from "./model_errors.ts";
import { type ModelVerdict, modelVerdict } from "./model_verdict.ts";
import { overlaidHistograms } from "./overlaid_histograms.ts";

/** One model's histogram and figures. */
export interface ModelHistogram {
  readonly model: string;
  readonly champion: boolean;
  /** On the edges every model of the drawing shares. */
  readonly histogram: Histogram;
  readonly summary: ErrorSummary;
}

/** Every model's histogram, the champion first, and each challenger's verdict, in order. */
export interface ErrorDistributions {
  readonly models: readonly ModelHistogram[];
  readonly verdicts: readonly ModelVerdict[];
}

/** Options of {@linkcode errorDistributions}. */
export interface ErrorDistributionsOptions {
  /** The most bins. @default 100 */
  maxBins?: number;
}

/** What {@linkcode errorDistributions} reads of each model. */
export type ModelErrorsView = Pick<
  ModelErrors,
  "model" | "champion" | "summary" | "values" | "errorsById"
>;

/**
 * Bins every model's errors on shared edges and compares each challenger with
 * the champion, which comes first in `models`.
 */
export function errorDistributions(
  models: readonly ModelErrorsView[],
  options: ErrorDistributionsOptions = {},
): ErrorDistributions {
  const maxBins = options.maxBins ?? 100;
  const histograms = overlaidHistograms(models.map((model) => model.values()), { maxBins });
  const [champion, ...challengers] = models;
  return {
    models: models.map((model, i) => ({
      model: model.model,
      champion: model.champion,
      histogram: histograms[i]!,
      summary: model.summary,
    })),
    verdicts: champion === undefined ? [] : challengers.map((challenger) =>
      modelVerdict({
        champion: champion.model,
        challenger: challenger.model,
        championErrors: champion.errorsById,
        challengerErrors: challenger.errorsById,
      })
    ),
  };
}
