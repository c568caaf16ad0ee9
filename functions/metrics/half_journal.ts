/**
 * The journal of waiting halves, `metric_halves.jsonl` beside the metric log
 * (a challenger's `metric_halves.<model>.jsonl`):
 * one JSON array per line, `[side, id, value, since]`, appended and synced
 * before a lone half is acked. Halves that found their partner or became
 * orphans stay in the file until it is compacted (rewritten with only the
 * halves still waiting); at start the waiting state is read back from it.
 *
 * Written by hand rather than with an embedded store: the journal is
 * append-only and shares the metric log's group commit (one write and one
 * fdatasync per batch), and a paired half costs nothing (compaction drops it
 * later). Deno's built-in `node:sqlite` fits the sandbox too, but took about
 * 3 times as long per half stored, plus a synced delete per pair
 * (`bench/journal_vs_sqlite.ts`).
 *
 * @module
 */
import { dirname } from "node:path";
import type { Logger } from "../../shared/logger.ts";
import { readLines } from "./_read_lines.ts";
import { syncDirectory, truncateSynced, writeAll } from "./_synced_file.ts";

/** Which half of a pair a message carries. */
export type Side = "y_true" | "y_pred";

/** A half as the journal keeps it. */
export interface StoredHalf {
  readonly id: string;
  readonly side: Side;
  readonly value: number;
  /** When it arrived, in ms since the epoch. */
  readonly since: number;
  /** Its publisher's timestamp; not journaled (`since` stands in after a restart). */
  readonly stamp?: number;
}

const encoder = new TextEncoder();

/** The journal lines of `halves`, each ending in "\n". */
export function encodeHalves(halves: Iterable<StoredHalf>): Uint8Array {
  let text = "";
  for (const h of halves) text += JSON.stringify([h.side, h.id, h.value, h.since]) + "\n";
  return encoder.encode(text);
}

/**
 * Reads the journal at `path` (created empty if missing): every stored half in
 * order, the last one for an id and side winning. A torn last line (a write
 * never synced, so never acked) and unreadable lines are skipped, logged once.
 */
export async function loadHalfJournal(path: string, logger: Logger): Promise<StoredHalf[]> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const created = await Deno.open(path, { write: true, create: true });
  created.close();
  const halves: StoredHalf[] = [];
  let skipped = 0;
  let goodEnd = 0;
  let torn = false;
  for await (const line of readLines(path)) {
    if (line.torn) {
      torn = true;
      break;
    }
    goodEnd = line.end;
    const half = decodeHalf(line.text);
    if (half === undefined) skipped++;
    else halves.push(half);
  }
  if (torn) await truncateSynced(path, goodEnd);
  if (skipped > 0 || torn) logger.warn("half journal lines skipped", { path, skipped, torn });
  return halves;
}

/** Replaces the journal with one holding only the halves of `parts`, atomically, synced. */
export async function compactHalfJournal(
  path: string,
  parts: Iterable<Iterable<StoredHalf>>,
): Promise<void> {
  const temporary = `${path}.compact`;
  const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
  try {
    // In slices, so 100 000 halves never become one 7 MB string.
    let slice: StoredHalf[] = [];
    for (const part of parts) {
      for (const half of part) {
        slice.push(half);
        if (slice.length < 4096) continue;
        await writeAll(file, encodeHalves(slice));
        slice = [];
      }
    }
    await writeAll(file, encodeHalves(slice));
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(temporary, path);
  await syncDirectory(dirname(path));
}

function decodeHalf(text: string): StoredHalf | undefined {
  try {
    const [side, id, value, since] = JSON.parse(text);
    const ok = (side === "y_true" || side === "y_pred") && typeof id === "string" &&
      typeof value === "number" && typeof since === "number";
    return ok ? { id, side, value, since } : undefined;
  } catch {
    return undefined;
  }
}
