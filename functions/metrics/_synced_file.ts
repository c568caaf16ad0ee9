/**
 * An append-only file written whole and synced: each append is one write of
 * every byte then `fdatasync`, rolled back to the last synced size when either
 * fails, so a retried append never leaves a torn line in the middle.
 *
 * Appends write at the file's synced size, not with `O_APPEND`: bytes another
 * writer appended just before are overwritten or left after ours, where the
 * next {@linkcode SyncedFile.check} finds them, never between our rows.
 *
 * @module
 */

/** The part of a file the metrics function appends through; `Deno.FsFile` is one. */
export interface AppendFile {
  /** Moves the write position. */
  seek(offset: number, whence: Deno.SeekMode): Promise<number>;
  /** Writes some of `data`; resolves with how many bytes. */
  write(data: Uint8Array): Promise<number>;
  /** Flushes written data to the disk. */
  syncData(): Promise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length?: number): Promise<void>;
  /** The open file's inode and size. */
  stat(): Promise<{ readonly ino: number | null; readonly size: number }>;
  /** Releases the file. */
  close(): void;
}

/** Opens an existing file for writing. */
export type OpenAppendFile = (path: string) => Promise<AppendFile>;

/** Opens with `Deno.open(path, { write: true })`. */
export const openAppend: OpenAppendFile = (path) => Deno.open(path, { write: true });

/** What {@linkcode SyncedFile.check} found at the path compared with the open file. */
export type FileIdentity = "same" | "deleted" | "replaced" | "truncated" | "grown";

/** An open append-only file; see the module docs. */
export class SyncedFile {
  readonly path: string;
  readonly #file: AppendFile;
  readonly #ino: number | null;
  #size: number;

  /** Wraps an opened file whose synced size is `size`. */
  constructor(path: string, file: AppendFile, ino: number | null, size: number) {
    this.path = path;
    this.#file = file;
    this.#ino = ino;
    this.#size = size;
  }

  /** Opens `path` for appending; `size` is the synced size it has. */
  static async open(path: string, open: OpenAppendFile = openAppend): Promise<SyncedFile> {
    const file = await open(path);
    try {
      const { ino, size } = await file.stat();
      return new SyncedFile(path, file, ino, size);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Bytes known to be on disk. */
  get size(): number {
    return this.#size;
  }

  /** Appends every byte and syncs; on failure cuts back to the last synced size, then throws. */
  async append(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    try {
      await this.#file.seek(this.#size, Deno.SeekMode.Start);
      await writeAll(this.#file, bytes);
      await this.#file.syncData();
    } catch (error) {
      // After a failed write or sync the page cache cannot be trusted: cut back
      // so the retried bytes are written whole once. A failed cut is retried
      // with the next append, as a first step.
      await this.#file.truncate(this.#size).catch(() => {});
      throw error;
    }
    this.#size += bytes.length;
  }

  /**
   * Compares the file now at the path with the one open: deleted, replaced
   * (another inode), truncated (shorter than what was synced) or grown
   * (someone else appended).
   */
  async check(): Promise<FileIdentity> {
    let now: Deno.FileInfo;
    try {
      now = await Deno.stat(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return "deleted";
      throw error;
    }
    if (this.#ino !== null && now.ino !== this.#ino) return "replaced";
    if (now.size < this.#size) return "truncated";
    if (now.size > this.#size) return "grown";
    return "same";
  }

  /** Cuts the file back to its synced size (foreign bytes were set aside). */
  async cutToSynced(): Promise<void> {
    await this.#file.truncate(this.#size);
    await this.#file.syncData();
  }

  /** Releases the file. */
  close(): void {
    try {
      this.#file.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }
}

/** Writes every byte; `write` may take fewer than it was given. */
export async function writeAll(
  file: { write(data: Uint8Array): Promise<number> },
  data: Uint8Array,
): Promise<void> {
  for (let offset = 0; offset < data.length;) offset += await file.write(data.subarray(offset));
}

/** Makes a new directory entry durable: syncs the directory. */
export async function syncDirectory(path: string): Promise<void> {
  const dir = await Deno.open(path, { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}

/** Cuts a file to `size` bytes (a torn tail) and syncs it. */
export async function truncateSynced(path: string, size: number): Promise<void> {
  const file = await Deno.open(path, { write: true });
  try {
    await file.truncate(size);
    await file.syncData();
  } finally {
    file.close();
  }
}
