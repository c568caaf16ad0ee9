/**
 * Follows the metric log as it grows: counts its rows and notes when each id
 * first appeared, reading only the bytes added since the last poll so a
 * large file costs nothing per poll.
 *
 * @module
 */
import { delay } from "../shared/runtime/backoff.ts";

/** Options of {@linkcode CsvWatcher}. */
export interface CsvWatcherOptions {
  /** Remember when each id appeared (for latency without the metrics log). @default false */
  trackIds?: boolean;
  /** Clock in ms. @default Date.now */
  now?: () => number;
}

/** Counts the rows of a CSV file with a header line as it grows. */
export class CsvWatcher {
  readonly #path: string;
  readonly #now: () => number;
  readonly #trackIds: boolean;
  readonly #decoder = new TextDecoder();
  readonly #seen = new Map<string, number>();
  #offset = 0;
  #rest = "";
  #headerSeen = false;
  #rows = 0;

  /** Watches `path`, which may not exist yet. */
  constructor(path: string, options: CsvWatcherOptions = {}) {
    this.#path = path;
    this.#now = options.now ?? Date.now;
    this.#trackIds = options.trackIds ?? false;
  }

  /** Complete rows seen so far, header excluded. */
  get rows(): number {
    return this.#rows;
  }

  /** Id -> time of the poll that first saw its row (only with `trackIds`). */
  get seen(): ReadonlyMap<string, number> {
    return this.#seen;
  }

  /** Reads what was appended; returns the row count. */
  async poll(): Promise<number> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return this.#rows;
      throw error;
    }
    try {
      const { size } = await file.stat();
      if (size <= this.#offset) return this.#rows;
      const buffer = new Uint8Array(size - this.#offset);
      await file.seek(this.#offset, Deno.SeekMode.Start);
      let read = 0;
      while (read < buffer.length) {
        const n = await file.read(buffer.subarray(read));
        if (n === null) break;
        read += n;
      }
      this.#offset += read;
      this.#take(this.#decoder.decode(buffer.subarray(0, read), { stream: true }), this.#now());
    } finally {
      file.close();
    }
    return this.#rows;
  }

  /** Polls every `intervalMs` until `rows` rows; resolves with the time they were seen. */
  async waitForRows(rows: number, timeoutMs: number, intervalMs = 5): Promise<number> {
    const deadline = this.#now() + timeoutMs;
    while (await this.poll() < rows) {
      if (this.#now() >= deadline) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${rows} rows in "${this.#path}": ${this.#rows} so far`,
        );
      }
      await delay(intervalMs);
    }
    return this.#now();
  }

  #take(text: string, time: number): void {
    const lines = (this.#rest + text).split("\n");
    this.#rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!this.#headerSeen) {
        this.#headerSeen = true;
        continue;
      }
      if (line === "") continue;
      this.#rows++;
      if (this.#trackIds) {
        const id = line.slice(0, line.indexOf(","));
        if (!this.#seen.has(id)) this.#seen.set(id, time);
      }
    }
  }
}
