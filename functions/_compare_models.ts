/**
 * The verdict of a champion–challenger comparison, from the absolute errors
 * both models made on the same observations (paired): the mean difference
 * `challenger − champion` with its confidence interval (a paired t interval;
 * mean, standard deviation and t quantile from jstat), and whether the challenger is better (the whole
 * interval below 0: smaller errors), worse (the whole interval above 0) or
 * whether the data cannot tell yet. Pure: used by the metrics and the plot.
 *
 * @module
 */
import jStat from "jstat";

/** What a comparison concludes. */
export type Verdict = "challenger better" | "challenger worse" | "undecided";

/** A comparison of two models on the observations both scored. */
export interface Comparison {
  /** Observations both models scored. */
  readonly pairs: number;
  /** Mean of `challenger error − champion error`; negative when the challenger errs less. */
  readonly meanDifference: number;
  /** The confidence interval of the mean difference; `undefined` with fewer than 2 pairs. */
  readonly interval: readonly [low: number, high: number] | undefined;
  readonly verdict: Verdict;
}

/** Options of {@linkcode compareModels}. */
export interface CompareModelsOptions {
  /** Confidence of the interval. @default 0.95 */
  confidence?: number;
  /** Fewer pairs than this are "undecided" whatever the interval says. @default 30 */
  minPairs?: number;
}

/** The part of jstat used here (the package ships no types). */
interface JStatSubset {
  mean(values: number[]): number;
  stdev(values: number[], sample: boolean): number;
  studentt: { inv(p: number, dof: number): number };
}

const stats = jStat as JStatSubset;

/**
 * Compares the champion's and the challenger's absolute errors, pair by pair
 * (index `i` of both lists is one observation). Throws a `RangeError` when
 * the lists differ in length or hold an error that is not a finite number ≥ 0.
 */
export function compareModels(
  championErrors: readonly number[],
  challengerErrors: readonly number[],
  options: CompareModelsOptions = {},
): Comparison {
  const { confidence = 0.95, minPairs = 30 } = options;
  const n = championErrors.length;
  if (challengerErrors.length !== n) {
    throw new RangeError(
      `Cannot compare models: ${challengerErrors.length} challenger errors for ${n} champion errors`,
    );
  }
  const differences = championErrors.map((champion, i) => {
    const challenger = challengerErrors[i]!;
    for (const error of [champion, challenger]) {
      if (!(Number.isFinite(error) && error >= 0)) {
        throw new RangeError(
          `Cannot compare models: error "${error}" of pair ${i} is not a finite number ≥ 0`,
        );
      }
    }
    return challenger - champion;
  });
  if (n === 0) {
    return { pairs: 0, meanDifference: 0, interval: undefined, verdict: "undecided" };
  }
  const mean = stats.mean(differences);
  if (n < 2) return { pairs: n, meanDifference: mean, interval: undefined, verdict: "undecided" };
  const t = stats.studentt.inv(1 - (1 - confidence) / 2, n - 1);
  const half = t * stats.stdev(differences, true) / Math.sqrt(n);
  const interval = [mean - half, mean + half] as const;
  const verdict: Verdict = n < minPairs
    ? "undecided"
    : interval[1] < 0
    ? "challenger better"
    : interval[0] > 0
    ? "challenger worse"
    : "undecided";
  return { pairs: n, meanDifference: mean, interval, verdict };
}
