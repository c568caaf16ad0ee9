/**
 * A challenger's verdict against the champion, as the plot shows it: the
 * comparison of {@linkcode compareById}, named, as one line of text (the PNG's
 * subtitle and the live page say the same) and as a number for a gauge.
 *
 * @module
 */
import type { Comparison, Verdict } from "../_compare_models.ts";
import { compareById } from "./compare_by_id.ts";
import { formatFigure } from "./format_figure.ts";

/** Confidence of the interval, and the pairs needed before any verdict. */
export const VERDICT_OPTIONS = { confidence: 0.95, minPairs: 30 } as const;

/** One challenger compared with the champion. */
export interface ModelVerdict extends Comparison {
  readonly champion: string;
  readonly challenger: string;
}

/** The two models' errors by id, and their names. */
export interface ComparedModels {
  readonly champion: string;
  readonly challenger: string;
  readonly championErrors: ReadonlyMap<string, number>;
  readonly challengerErrors: ReadonlyMap<string, number>;
}

/** Compares the models on the ids both have rows for, with {@linkcode VERDICT_OPTIONS}. */
export function modelVerdict(models: ComparedModels): ModelVerdict {
  const comparison = compareById(models.championErrors, models.challengerErrors, VERDICT_OPTIONS);
  return { champion: models.champion, challenger: models.challenger, ...comparison };
}

/** A verdict as a gauge's value: 1 challenger better, -1 challenger worse, 0 undecided. */
export function verdictScore(verdict: Verdict): 1 | -1 | 0 {
  return verdict === "challenger better" ? 1 : verdict === "challenger worse" ? -1 : 0;
}

/**
 * The verdict in one line, such as
 * `forest against linear: challenger worse (mean difference +4.562, 95% interval 2.104..7.02, 300 pairs)`.
 */
export function verdictText(verdict: ModelVerdict): string {
  const head = `${verdict.challenger} against ${verdict.champion}: ${verdict.verdict}`;
  const { pairs, interval } = verdict;
  if (pairs === 0) return `${head} (no pairs yet)`;
  const mean = `mean difference ${signed(verdict.meanDifference)}`;
  if (interval === undefined) return `${head} (${mean}, 1 pair)`;
  const confidence = `${VERDICT_OPTIONS.confidence * 100}% interval`;
  const range = `${formatFigure(interval[0])}..${formatFigure(interval[1])}`;
  const count = pairs < VERDICT_OPTIONS.minPairs
    ? `${pairs} pairs of the ${VERDICT_OPTIONS.minPairs} needed`
    : `${pairs.toLocaleString("en-US")} pairs`;
  return `${head} (${mean}, ${confidence} ${range}, ${count})`;
}

function signed(value: number): string {
  return value > 0 ? `+${formatFigure(value)}` : formatFigure(value);
}
