/**
 * The orphans file, `metric_orphans.csv` beside the metric log (a
 * challenger's `metric_orphans.<model>.csv`): halves whose
 * partner never came within the horizon (or that no longer fit the waiting
 * table), with their reason, so nothing acked is ever silently dropped.
 *
 * @module
 */
import { dirname } from "node:path";
import { stringify } from "csv-stringify/sync";
import { type OpenAppendFile, syncDirectory, SyncedFile, writeAll } from "./_synced_file.ts";
import type { StoredHalf } from "./half_journal.ts";

/** The header of the orphans file. */
export const ORPHANS_HEADER = "id,side,value,since,reason";

/** A half given up, with why. */
export interface Orphan extends StoredHalf {
  readonly reason: string;
}

/** The CSV lines of `orphans`, each ending in "\n" ("" for none). */
export function orphanRecords(orphans: readonly Orphan[]): string {
  if (orphans.length === 0) return "";
  return stringify(orphans.map((o) => [o.id, o.side, o.value, o.since, o.reason]));
}

/** Opens the orphans file at `path` for appending, creating it with its header. */
export async function openOrphans(path: string, open: OpenAppendFile): Promise<SyncedFile> {
  const file = await Deno.open(path, { write: true, create: true });
  try {
    if ((await file.stat()).size === 0) {
      await writeAll(file, new TextEncoder().encode(ORPHANS_HEADER + "\n"));
      await file.syncData();
      await syncDirectory(dirname(path));
    }
  } finally {
    file.close();
  }
  return SyncedFile.open(path, open);
}
