/**
 * Reads the `error` column out of lines of the metric log
 * (`id,y_true,y_pred,error`), skipping and describing rows it cannot use.
 *
 * Why by hand: csv-parse is about 30 times slower on this file (100 000 rows:
 * 403 ms against 12 ms, `bench/parse_error_lines_bench.ts`), which would make the
 * first read of a million-row log take seconds. The metric log is written by
 * csv-stringify with plain fields, so the hot path only splits on commas; a
 * line holding a quote goes to csv-parse, which knows the quoting rules.
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import type { FloatList } from "./_float_list.ts";

/** The columns of the metric log, in order. */
export const METRIC_LOG_COLUMNS = ["id", "y_true", "y_pred", "error"] as const;

const FIELDS = METRIC_LOG_COLUMNS.length;
const ERROR_FIELD = FIELDS - 1;

/** A row that was skipped and why. */
export interface SkippedRow {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly reason: string;
}

/** What {@linkcode parseErrorLines} found. */
export interface ParsedLines {
  /** Rows whose error was appended. */
  readonly rows: number;
  /** Rows that could not be used. */
  readonly skipped: number;
  /** The first skipped row, if any. */
  readonly firstSkipped: SkippedRow | undefined;
  /** Lines seen, blank ones included. */
  readonly lines: number;
}

/** Options of {@linkcode parseErrorLines}. */
export interface ParseErrorLinesOptions {
  /** The file's line number of the first line of `text`, for messages. @default 1 */
  firstLine?: number;
  /**
   * Receives the `id` of each row whose error was appended, in step with `out`
   * (pairing two models' errors needs them). @default ids are not kept
   */
  ids?: string[];
}

/** Appends the `error` of each good line of `text` to `out` (its `id` to `options.ids`); counts the others. */
export function parseErrorLines(
  text: string,
  out: FloatList,
  options: ParseErrorLinesOptions = {},
): ParsedLines {
  const firstLine = options.firstLine ?? 1;
  const ids = options.ids;
  // Next comma and next quote at or after the scan position, cached so that a
  // search runs over each character once even when lines lack them.
  let nextComma = find(text, ",", 0);
  let nextQuote = find(text, '"', 0);
  let rows = 0;
  let skipped = 0;
  let firstSkipped: SkippedRow | undefined;
  let line = firstLine;
  let start = 0;
  while (start < text.length) {
    const newline = find(text, "\n", start);
    const end = Math.min(newline, text.length);
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (nextComma < start) nextComma = find(text, ",", start);
    if (nextQuote < start) nextQuote = find(text, '"', start);
    if (stop > start) {
      let reason: string | undefined;
      if (nextQuote < stop) {
        reason = parseQuoted(text.slice(start, stop), out, ids);
      } else {
        const idEnd = nextComma;
        let fields = 1;
        let lastComma = start - 1;
        while (nextComma < stop) {
          fields++;
          lastComma = nextComma;
          nextComma = find(text, ",", nextComma + 1);
        }
        reason = fields === FIELDS
          ? pushError(text.slice(lastComma + 1, stop), out)
          : fieldCount(fields);
        if (reason === undefined) ids?.push(text.slice(start, idEnd));
      }
      if (reason === undefined) {
        rows++;
      } else {
        skipped++;
        firstSkipped ??= { line, reason };
      }
    }
    line++;
    start = end + 1;
  }
  return { rows, skipped, firstSkipped, lines: line - firstLine };
}

function find(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at < 0 ? Infinity : at;
}

function parseQuoted(line: string, out: FloatList, ids: string[] | undefined): string | undefined {
  let records: string[][];
  try {
    records = parse(line, { relax_column_count: true });
  } catch (error) {
    return `unparseable CSV: ${(error as Error).message}`;
  }
  const fields = records[0];
  if (records.length !== 1 || fields === undefined) return "unparseable CSV";
  if (fields.length !== FIELDS) return fieldCount(fields.length);
  const reason = pushError(fields[ERROR_FIELD]!, out);
  if (reason === undefined) ids?.push(fields[0]!);
  return reason;
}

// Returns why the field is unusable, or undefined once its value is appended.
function pushError(field: string, out: FloatList): string | undefined {
  const value = Number(field);
  if (!Number.isFinite(value) || (value === 0 && field.trim() === "")) {
    return `error "${clip(field)}" is not a number`;
  }
  if (value < 0) return `error "${clip(field)}" is negative`;
  out.push(value);
  return undefined;
}

function fieldCount(fields: number): string {
  return `expected ${FIELDS} fields, found ${fields}`;
}

function clip(field: string): string {
  return field.length > 40 ? `${field.slice(0, 40)}…` : field;
}
