/**
 * The `.rejected` file beside the metric log: lines found in the log that are
 * not rows of ours, kept with their line number and reason instead of lost.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { syncDirectory } from "./_synced_file.ts";
import { dirname } from "node:path";

/** One line set aside. */
export interface RejectedLine {
  /** 1-based line number in the metric log where it was found. */
  readonly line: number;
  readonly reason: string;
  readonly content: string;
}

/** The header of the `.rejected` file. */
export const REJECTED_HEADER = "line,reason,content";

const encoder = new TextEncoder();

/** Appends the lines to `<logPath>.rejected` (created with its header) and syncs it. */
export async function appendRejected(
  logPath: string,
  lines: readonly RejectedLine[],
): Promise<string> {
  const path = `${logPath}.rejected`;
  if (lines.length === 0) return path;
  const file = await Deno.open(path, { append: true, create: true });
  try {
    const { size } = await file.stat();
    const records = lines.map((l) => [l.line, l.reason, l.content]);
    const text = (size === 0 ? REJECTED_HEADER + "\n" : "") + stringify(records);
    const bytes = encoder.encode(text);
    for (let offset = 0; offset < bytes.length;) {
      offset += await file.write(bytes.subarray(offset));
    }
    await file.syncData();
    if (size === 0) await syncDirectory(dirname(path));
  } finally {
    file.close();
  }
  return path;
}
