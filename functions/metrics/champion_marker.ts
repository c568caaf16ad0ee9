/**
 * Whose rows `metric_log.csv` holds. Its name does not say (a challenger's
 * file does: `metric_log.forest.csv`), so the champion's name is kept beside
 * it in `metric_log.champion`. Changing `CHAMPION` while the old champion's
 * files are still in `LOGS_DIR` would append another model's rows to them
 * (or refuse them all as conflicts with the first model's); metrics refuses
 * to start instead, with one line saying what to do.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { ConfigError } from "../../shared/errors.ts";
import { syncDirectory, writeAll } from "./_synced_file.ts";

/** The marker's name inside `LOGS_DIR`. */
export const CHAMPION_MARKER_FILE = "metric_log.champion";

/** The champion the files in `logsDir` belong to, if marked. */
export async function markedChampion(logsDir: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(join(logsDir, CHAMPION_MARKER_FILE))).trim();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Throws `ConfigError` when `logsDir` is marked with another champion than
 * `champion`; returns whether it is marked at all.
 */
export async function checkChampion(logsDir: string, champion: string): Promise<boolean> {
  const marked = await markedChampion(logsDir);
  if (marked === undefined) return false;
  if (marked === champion) return true;
  throw new ConfigError(
    "CHAMPION",
    `Invalid CHAMPION "${champion}": ${join(logsDir, "metric_log.csv")} holds the rows of ` +
      `"${marked}"; move the metric files aside (or set CHAMPION=${marked})`,
  );
}

/** Checks, then marks `logsDir` as `champion`'s (atomically, synced) when not marked yet. */
export async function markChampion(logsDir: string, champion: string): Promise<void> {
  if (await checkChampion(logsDir, champion)) return;
  const path = join(logsDir, CHAMPION_MARKER_FILE);
  const temporary = `${path}.tmp`;
  const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
  try {
    await writeAll(file, new TextEncoder().encode(champion + "\n"));
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(temporary, path);
  await syncDirectory(dirname(path));
}
