/**
 * Start-up recovery of the metric log: create it with its header, set aside
 * every line that is not a row of ours (a torn last line, a foreign or
 * malformed one) into `<log>.rejected` with its line number, keep every good
 * row, and rebuild the set of ids already written.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Logger } from "../../shared/logger.ts";
import { WrittenRows } from "./_written_rows.ts";
import { parseRow } from "./_parse_row.ts";
import { readLines } from "./_read_lines.ts";
import { appendRejected, type RejectedLine } from "./_rejected_lines.ts";
import { syncDirectory, truncateSynced, writeAll } from "./_synced_file.ts";

import { METRIC_LOG_HEADER as CSV_HEADER } from "../_metric_log.ts";

export { CSV_HEADER };

/** What recovery found. */
export interface RecoveredLog {
  /** The most recent ids in the file, at most the dedup window. */
  readonly ids: WrittenRows;
  /** Data rows in the file. */
  readonly rows: number;
  /** Lines set aside into the `.rejected` file. */
  readonly rejected: number;
}

/** Options of {@linkcode recoverLog}. */
export interface RecoverLogOptions {
  /** Where repairs are reported. */
  logger: Logger;
  /** Ids to remember (a table to add to, or a capacity for a new one). */
  ids: WrittenRows | number;
}

const encoder = new TextEncoder();
const SHOWN_LINES = 10;

/** Creates or repairs the log at `path` and reads back the ids it holds. */
export async function recoverLog(path: string, options: RecoverLogOptions): Promise<RecoveredLog> {
  const ids = typeof options.ids === "number" ? new WrittenRows(options.ids) : options.ids;
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { read: true, write: true, create: true });
  try {
    if ((await file.stat()).size === 0) {
      await writeAll(file, encoder.encode(CSV_HEADER + "\n"));
      await file.syncData();
      await syncDirectory(dirname(path));
      return { ids, rows: 0, rejected: 0 };
    }
  } finally {
    file.close();
  }
  const scan = await scanLog(path, ids);
  if (scan.rejected.length === 0) return { ids, rows: scan.rows, rejected: 0 };
  // Set aside first: if the repair below is cut short, the lines are kept.
  const rejectedPath = await appendRejected(path, scan.rejected);
  if (scan.onlyTornTail) await truncateSynced(path, scan.goodEnd);
  else await rewrite(path, new Set(scan.rejected.map((r) => r.line)), scan.headerMissing);
  options.logger.warn("metric log lines set aside", {
    path,
    rejectedPath,
    rejected: scan.rejected.length,
    lines: scan.rejected.slice(0, SHOWN_LINES).map((r) => r.line),
    first: scan.rejected[0],
  });
  return { ids, rows: scan.rows, rejected: scan.rejected.length };
}

interface Scan {
  rows: number;
  readonly rejected: RejectedLine[];
  headerMissing: boolean;
  /** True when the only bad bytes are a torn last line after good ones. */
  onlyTornTail: boolean;
  /** Offset after the last complete line. */
  goodEnd: number;
}

async function scanLog(path: string, ids: WrittenRows): Promise<Scan> {
  const scan: Scan = {
    rows: 0,
    rejected: [],
    headerMissing: false,
    onlyTornTail: true,
    goodEnd: 0,
  };
  let line = 0;
  for await (const { text, end, torn } of readLines(path)) {
    line++;
    if (torn) {
      scan.rejected.push({ line, reason: "torn: no line end", content: text });
      break;
    }
    scan.goodEnd = end;
    const reason = line === 1 ? headerProblem(text) : rowOf(text, ids);
    if (reason === undefined) {
      if (line > 1) scan.rows++;
      continue;
    }
    scan.rejected.push({ line, reason, content: text });
    scan.onlyTornTail = false;
    if (line === 1) scan.headerMissing = true;
  }
  return scan;
}

function headerProblem(text: string): string | undefined {
  return text === CSV_HEADER ? undefined : `not the header "${CSV_HEADER}"`;
}

function rowOf(text: string, ids: WrittenRows): string | undefined {
  const row = parseRow(text);
  if (typeof row === "string") return row;
  ids.add(row.id, row.yTrue, row.yPred);
  return undefined;
}

// Copies the good lines to a new file and renames it over the log: the log
// never holds a half-repaired state.
async function rewrite(path: string, skip: Set<number>, headerMissing: boolean): Promise<void> {
  const temporary = `${path}.repair`;
  const out = await Deno.open(temporary, { write: true, create: true, truncate: true });
  try {
    const parts: string[] = headerMissing ? [CSV_HEADER] : [];
    let line = 0;
    for await (const { text, torn } of readLines(path)) {
      line++;
      if (torn || skip.has(line)) continue;
      parts.push(text);
      if (parts.length >= 4096) {
        await writeAll(out, encoder.encode(parts.join("\n") + "\n"));
        parts.length = 0;
      }
    }
    if (parts.length > 0) await writeAll(out, encoder.encode(parts.join("\n") + "\n"));
    await out.syncData();
  } finally {
    out.close();
  }
  await Deno.rename(temporary, path);
  await syncDirectory(dirname(path));
}
