/**
 * The diabetes data set, read from the data directory and scaled like
 * scikit-learn's: the source streams it, the model function's training fits
 * on it. Beside the functions rather than in one of their folders, so no
 * function imports another's.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { FEATURE_NAMES, type Features } from "./_streams.ts";
import { scaleColumn } from "./_scale_column.ts";

/** The raw data set's file name inside the data directory. */
export const DIABETES_FILE = "diabetes_raw.csv";

/** The raw file's header, in order. */
export const DIABETES_COLUMNS = [...FEATURE_NAMES, "target"] as const;

/** One observation: its ten scaled features and its target, unchanged. */
export interface DiabetesRow {
  /** The features as `load_diabetes(scaled=True)` gives them. */
  readonly features: Features;
  /** Disease progression one year after baseline, 25..346 in this data set. */
  readonly target: number;
}

/** The raw data set, column by column. */
interface RawColumns {
  readonly features: readonly number[][];
  readonly target: readonly number[];
}

/**
 * Reads `<dataDir>/diabetes_raw.csv` and returns its 442 rows in file order,
 * features scaled like scikit-learn's `load_diabetes(scaled=True)`.
 *
 * Rejects with `Deno.errors.NotFound` when the file is missing and with a
 * `SyntaxError` naming the line, column and value when a row cannot be read.
 */
export async function loadDiabetes(dataDir: string): Promise<DiabetesRow[]> {
  const path = join(dataDir, DIABETES_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot load the data set: file "${path}" does not exist`, {
        cause,
      });
    }
    throw cause;
  }
  return parseDiabetes(text, path);
}

/**
 * Parses the text of `diabetes_raw.csv` and scales its features; `source`
 * names the file in error messages.
 */
export function parseDiabetes(text: string, source: string): DiabetesRow[] {
  const raw = readColumns(text, source);
  if (raw.target.length < 2) {
    throw new RangeError(
      `Cannot load the data set "${source}": expected at least 2 rows, got ${raw.target.length}`,
    );
  }
  const scaled = raw.features.map(scaleColumn);
  return raw.target.map((target, row) => ({
    features: Object.fromEntries(
      FEATURE_NAMES.map((name, column) => [name, scaled[column]![row]!]),
    ) as Features,
    target,
  }));
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

function readColumns(text: string, source: string): RawColumns {
  let records: ParsedRecord[];
  try {
    // csv-parse's typings ignore `info: true`, which wraps each record with its line number.
    records = parse(text, { info: true, skip_empty_lines: true }) as unknown as ParsedRecord[];
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SyntaxError(`Cannot parse "${source}": ${detail}`, { cause });
  }
  const [header, ...rows] = records;
  const expected = DIABETES_COLUMNS.join(",");
  if (header?.record.join(",") !== expected) {
    throw new SyntaxError(
      `Cannot parse "${source}": expected the header "${expected}", got "${
        header?.record.join(",") ?? ""
      }"`,
    );
  }
  const features: number[][] = FEATURE_NAMES.map(() => []);
  const target: number[] = [];
  for (const { record, info } of rows) {
    DIABETES_COLUMNS.forEach((column, index) => {
      const value = toNumber(record[index], source, info.lines, column);
      if (index < FEATURE_NAMES.length) features[index]!.push(value);
      else target.push(value);
    });
  }
  return { features, target };
}

function toNumber(
  cell: string | undefined,
  source: string,
  line: number,
  column: string,
): number {
  // Number("") is 0, so a blank cell has to be refused before converting.
  const value = cell === undefined || cell.trim() === "" ? NaN : Number(cell);
  if (!Number.isFinite(value)) {
    throw new SyntaxError(
      `Cannot parse "${source}": line ${line}, column "${column}": "${cell ?? ""}" is not a number`,
    );
  }
  return value;
}
