/**
 * The verdicts on `/metrics`: five gauges per challenger, labelled
 * `challenger="<name>"`, so an alert or a dashboard can follow a comparison.
 *
 * @module
 */
import type { Gauge, MetricLabels } from "../../shared/define_function.ts";
import { type ModelVerdict, VERDICT_OPTIONS, verdictScore } from "./model_verdict.ts";

const INTERVAL = `${VERDICT_OPTIONS.confidence * 100}% interval of the mean difference`;

/** Makes a gauge: the context's `gauge`. */
export type GaugeFactory = (name: string, help: string, labels?: MetricLabels) => Gauge;

interface ChallengerGauges {
  readonly verdict: Gauge;
  readonly pairs: Gauge;
  readonly meanDifference: Gauge;
  readonly intervalLow: Gauge;
  readonly intervalHigh: Gauge;
}

/** The gauges of every challenger's verdict. */
export class VerdictGauges {
  readonly #gauges = new Map<string, ChallengerGauges>();

  /** Creates the gauges of each challenger; each series is shown once first {@linkcode set}. */
  constructor(gauge: GaugeFactory, challengers: readonly string[]) {
    for (const challenger of challengers) {
      const labels = { challenger };
      this.#gauges.set(challenger, {
        verdict: gauge(
          "plot_verdict",
          "Verdict of the challenger against the champion: 1 better, -1 worse, 0 undecided",
          labels,
        ),
        pairs: gauge(
          "plot_verdict_pairs",
          "Observations both the champion and the challenger have a row for",
          labels,
        ),
        meanDifference: gauge(
          "plot_verdict_mean_difference",
          "Mean of challenger error minus champion error over the pairs; NaN without pairs",
          labels,
        ),
        intervalLow: gauge(
          "plot_verdict_interval_low",
          `Lower end of the ${INTERVAL}; NaN with fewer than 2 pairs`,
          labels,
        ),
        intervalHigh: gauge(
          "plot_verdict_interval_high",
          `Upper end of the ${INTERVAL}; NaN with fewer than 2 pairs`,
          labels,
        ),
      });
    }
  }

  /** Sets the gauges of `verdict.challenger`; a model without gauges is a `RangeError`. */
  set(verdict: ModelVerdict): void {
    const gauges = this.#gauges.get(verdict.challenger);
    if (gauges === undefined) {
      throw new RangeError(
        `Cannot set the verdict gauges: "${verdict.challenger}" is no challenger`,
      );
    }
    gauges.verdict.set(verdictScore(verdict.verdict));
    gauges.pairs.set(verdict.pairs);
    gauges.meanDifference.set(verdict.pairs === 0 ? NaN : verdict.meanDifference);
    gauges.intervalLow.set(verdict.interval?.[0] ?? NaN);
    gauges.intervalHigh.set(verdict.interval?.[1] ?? NaN);
  }
}
