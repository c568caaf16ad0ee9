/**
 * Replaces a file in one step, so a reader sees the old or the new content,
 * never half of it.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/** Writes `data` to a temporary file beside `path`, then renames it over `path`. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  // Same folder, so the rename never crosses file systems and stays atomic.
  const temporary = join(dirname(path), `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeFile(temporary, data);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}
