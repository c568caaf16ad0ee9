/**
 * Reads one line of the metric log back into its row, or says why it is not
 * one: the start-up check and the set-aside of foreign lines share it.
 *
 * @module
 */
import { parse } from "csv-parse/sync";

/** One row of the metric log. */
export interface CsvRow {
  readonly id: string;
  readonly yTrue: number;
  readonly yPred: number;
}

// Nearly every line is ours: an unquoted id and three numbers. Those take a
// split (about 10 times cheaper than a csv-parse call per line); any other
// line goes to csv-parse, which reads quoted ids exactly as csv-stringify wrote them.
const PLAIN = /^[^",]+,[^,"]+,[^,"]+,[^,"]+$/;

/** The row a line holds, or the reason it holds none. */
export function parseRow(line: string): CsvRow | string {
  let fields: string[];
  if (PLAIN.test(line)) {
    fields = line.split(",");
  } else {
    try {
      const records = parse(line, { relax_column_count: true }) as string[][];
      if (records.length !== 1) return `expected one record, got ${records.length}`;
      fields = records[0]!;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  if (fields.length !== 4) return `expected 4 fields, got ${fields.length}`;
  const [id, yTrue, yPred, error] = fields as [string, string, string, string];
  if (id.length === 0) return "the id is empty";
  for (const [name, text] of [["y_true", yTrue], ["y_pred", yPred], ["error", error]]) {
    if (text!.trim() === "" || !Number.isFinite(Number(text))) {
      return `${name} "${text}" is not a finite number`;
    }
  }
  return { id, yTrue: Number(yTrue), yPred: Number(yPred) };
}
