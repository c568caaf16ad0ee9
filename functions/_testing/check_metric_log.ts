/**
 * Checks a pipeline's CSV against what the source confirmed: every confirmed
 * observation is there exactly once, and every row's values are exactly what
 * the data set and the model say. Used by the end-to-end and fault tests.
 *
 * @module
 */

/** What the source confirmed, and how to recompute a row. */
export interface Expected {
  /** Confirmed observation id -> its row in the data set. */
  readonly confirmed: ReadonlyMap<string, number>;
  /** Every observation the source started, confirmed or not (a crash may cut one short). */
  readonly started?: ReadonlyMap<string, number>;
  /** The target of a data set row. */
  target(row: number): number;
  /** The model's prediction for a data set row. */
  predict(row: number): number;
}

/** The verdict on one CSV. */
export interface MetricLogCheck {
  readonly rows: number;
  /** Confirmed ids with no row. */
  readonly lost: number;
  /** Rows whose id appeared before. */
  readonly duplicated: number;
  /** Rows whose values differ from the recomputed ones, or whose id nobody published. */
  readonly wrong: number;
  /** Rows of observations started but not confirmed (cut short by a crash): allowed. */
  readonly unconfirmed: number;
  /** The first few problems, for the assertion message. */
  readonly problems: readonly string[];
}

/** Compares the CSV text with the expectation. */
export function checkMetricLog(csv: string, expected: Expected): MetricLogCheck {
  const lines = csv.split("\n");
  if (lines[0] !== "id,y_true,y_pred,error") throw new SyntaxError(`Bad header "${lines[0]}"`);
  const seen = new Set<string>();
  const problems: string[] = [];
  let rows = 0, duplicated = 0, wrong = 0, unconfirmed = 0;
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    rows++;
    const [id = "", yTrue, yPred, error] = line.split(",");
    if (seen.has(id)) {
      duplicated++;
      problems.push(`duplicate id ${id}`);
      continue;
    }
    seen.add(id);
    const row = expected.confirmed.get(id) ?? expected.started?.get(id);
    if (row === undefined) {
      wrong++;
      problems.push(`unknown id ${id}`);
      continue;
    }
    if (!expected.confirmed.has(id)) unconfirmed++;
    const [t, p, e] = [Number(yTrue), Number(yPred), Number(error)];
    if (t !== expected.target(row) || p !== expected.predict(row) || e !== Math.abs(t - p)) {
      wrong++;
      problems.push(`wrong row ${line} (row ${row})`);
    }
  }
  let lost = 0;
  for (const id of expected.confirmed.keys()) {
    if (!seen.has(id)) {
      lost++;
      if (problems.length < 20) problems.push(`lost id ${id}`);
    }
  }
  return { rows, lost, duplicated, wrong, unconfirmed, problems: problems.slice(0, 20) };
}

/** Collects the source's `observation confirmed` debug records (id -> row). */
export function confirmedObservations(
  logs: Iterable<Record<string, unknown>>,
): Map<string, number> {
  return observations(logs, "observation confirmed");
}

/** Collects the source's `observation started` debug records (id -> row). */
export function startedObservations(
  logs: Iterable<Record<string, unknown>>,
): Map<string, number> {
  return observations(logs, "observation started");
}

function observations(
  logs: Iterable<Record<string, unknown>>,
  event: string,
): Map<string, number> {
  const found = new Map<string, number>();
  for (const record of logs) {
    if (record.event === event) found.set(String(record.id), Number(record.row));
  }
  return found;
}
