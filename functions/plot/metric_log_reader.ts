/**
 * Reads the metric log incrementally: each call reads only the bytes appended
 * since the last one and returns the errors of the rows they complete (and,
 * when asked, their ids).
 *
 * A partly written last line is left for the next call. A file that was
 * truncated or replaced since the last call (smaller than what was read, a
 * different inode or birth time, or different first bytes) is read again from
 * the start, and the call says so, so the caller can drop what it holds.
 *
 * @module
 */
import { FloatList } from "./_float_list.ts";
import { METRIC_LOG_COLUMNS, parseErrorLines, type SkippedRow } from "./parse_error_lines.ts";

/** What the file looks like now. */
export type MetricLogStatus = "missing" | "empty" | "bad-header" | "rows";

/** Why everything read before no longer counts. */
export type MetricLogReset = "truncated" | "replaced";

/** What one {@linkcode MetricLogReader.read} found. */
export interface MetricLogRead {
  /** "empty": no complete data row yet (no bytes, or the header only). */
  readonly status: MetricLogStatus;
  /** Set when the file was read again from the start: drop earlier errors. */
  readonly reset: MetricLogReset | undefined;
  /** Errors of the rows completed since the last read, in file order. */
  readonly errors: Float64Array;
  /** The ids of those rows, in step with `errors`; empty unless the reader keeps ids. */
  readonly ids: readonly string[];
  /** Rows of those bytes that could not be used. */
  readonly skipped: number;
  /** The first of them. */
  readonly firstSkipped: SkippedRow | undefined;
  /** Bytes of an incomplete last line, left for the next read. */
  readonly tornBytes: number;
  /** The file's first line when `status` is "bad-header". */
  readonly header: string | undefined;
}

/** Options of {@linkcode MetricLogReader}. */
export interface MetricLogReaderOptions {
  /** Bytes read at a time; also the longest line accepted. @default 1 MiB */
  chunkBytes?: number;
  /** Returns each row's id beside its error. @default false */
  ids?: boolean;
}

/** The header the metric log must start with. */
export const METRIC_LOG_HEADER = METRIC_LOG_COLUMNS.join(",");

// Enough to hold the header and the first rows, whose ids are unique, so a file
// rewritten in place differs here even when its size and inode do not.
const PREFIX_BYTES = 512;
const NEWLINE = 10;

/** Reads the rows appended to the metric log since the last call. */
export class MetricLogReader {
  readonly #path: string;
  readonly #chunk: Uint8Array;
  readonly #decoder = new TextDecoder();
  readonly #keepIds: boolean;
  #offset = 0;
  #inode: number | null = null;
  #birth: number | null = null;
  #prefix = new Uint8Array(0);
  #header: string | undefined;
  #line = 1;
  #dataRows = 0;
  #discarding = false;

  /** Creates a reader of the file at `path`; nothing is read yet. */
  constructor(path: string, options: MetricLogReaderOptions = {}) {
    const chunkBytes = options.chunkBytes ?? 1024 * 1024;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 64) {
      throw new RangeError(`Cannot read "${path}": chunkBytes "${chunkBytes}" is below 64`);
    }
    this.#path = path;
    this.#chunk = new Uint8Array(chunkBytes);
    this.#keepIds = options.ids ?? false;
  }

  /** Reads what was appended since the last call; never throws on the content. */
  async read(): Promise<MetricLogRead> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path, { read: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return { ...this.#nothing(), status: "missing" };
    }
    try {
      const info = await file.stat();
      const reset = await this.#changedSince(file, info);
      if (reset !== undefined) this.#restart();
      this.#inode = info.ino;
      this.#birth = info.birthtime?.getTime() ?? null;
      const found = await this.#readNew(file, info.size);
      await this.#keepPrefix(file);
      return { ...found, reset, status: this.#status(), header: this.#badHeader() };
    } finally {
      file.close();
    }
  }

  #nothing(): MetricLogRead {
    return {
      status: this.#status(),
      reset: undefined,
      errors: new Float64Array(0),
      ids: [],
      skipped: 0,
      firstSkipped: undefined,
      tornBytes: 0,
      header: this.#badHeader(),
    };
  }

  #status(): MetricLogStatus {
    if (this.#header === undefined) return "empty";
    if (this.#header !== METRIC_LOG_HEADER) return "bad-header";
    return this.#dataRows === 0 ? "empty" : "rows";
  }

  #badHeader(): string | undefined {
    return this.#status() === "bad-header" ? this.#header : undefined;
  }

  async #changedSince(file: Deno.FsFile, info: Deno.FileInfo): Promise<MetricLogReset | undefined> {
    if (this.#offset === 0) return undefined;
    if (info.size < this.#offset) return "truncated";
    const birth = info.birthtime?.getTime() ?? null;
    const differs = (was: number | null, now: number | null) =>
      was !== null && now !== null && was !== now;
    if (differs(this.#inode, info.ino) || differs(this.#birth, birth)) return "replaced";
    const prefix = new Uint8Array(this.#prefix.length);
    const read = await readAt(file, 0, prefix);
    const same = read === prefix.length && prefix.every((byte, i) => byte === this.#prefix[i]);
    return same ? undefined : "replaced";
  }

  #restart(): void {
    this.#offset = 0;
    this.#prefix = new Uint8Array(0);
    this.#header = undefined;
    this.#line = 1;
    this.#dataRows = 0;
    this.#discarding = false;
  }

  async #keepPrefix(file: Deno.FsFile): Promise<void> {
    const wanted = Math.min(this.#offset, PREFIX_BYTES);
    if (this.#prefix.length >= wanted) return;
    const prefix = new Uint8Array(wanted);
    this.#prefix = prefix.subarray(0, await readAt(file, 0, prefix));
  }

  // Reads whole lines from the offset up to `size`, a chunk at a time so a
  // first read of a large file holds one chunk of text, not the whole file.
  async #readNew(
    file: Deno.FsFile,
    size: number,
  ): Promise<Omit<MetricLogRead, "status" | "reset" | "header">> {
    const out = new FloatList();
    const ids: string[] | undefined = this.#keepIds ? [] : undefined;
    let skipped = 0;
    let firstSkipped: SkippedRow | undefined;
    const skip = (row: SkippedRow, count = 1) => {
      skipped += count;
      firstSkipped ??= row;
    };
    while (this.#offset < size) {
      if (this.#header !== undefined && this.#header !== METRIC_LOG_HEADER) {
        this.#offset = size; // a file with a wrong header is not read further
        break;
      }
      const wanted = Math.min(this.#chunk.length, size - this.#offset);
      const n = await readAt(file, this.#offset, this.#chunk.subarray(0, wanted));
      if (n === 0) break; // shrank since the stat; the next read sees it
      const bytes = this.#chunk.subarray(0, n);
      const last = bytes.lastIndexOf(NEWLINE);
      if (last < 0) {
        if (this.#offset + n >= size) break; // a torn last line
        if (!this.#discarding) this.#overlong(skip);
        this.#discarding = true;
        this.#offset += n;
        continue;
      }
      let from = 0;
      if (this.#discarding) {
        from = bytes.indexOf(NEWLINE) + 1;
        this.#discarding = false;
        this.#line++;
      }
      const text = this.#decoder.decode(bytes.subarray(from, last + 1));
      const parsed = this.#parse(text, out, ids);
      if (parsed.firstSkipped !== undefined) skip(parsed.firstSkipped, parsed.skipped);
      this.#offset += last + 1;
    }
    return {
      errors: out.view(),
      ids: ids ?? [],
      skipped,
      firstSkipped,
      tornBytes: size - this.#offset,
    };
  }

  // A line that does not fit a chunk is dropped whole: as the header it makes
  // the file unreadable, as a row it is one skipped row.
  #overlong(skip: (row: SkippedRow) => void): void {
    const reason = `line longer than ${this.#chunk.length} bytes`;
    if (this.#header === undefined) this.#header = `(${reason})`;
    else skip({ line: this.#line, reason });
  }

  #parse(
    text: string,
    out: FloatList,
    ids: string[] | undefined,
  ): { skipped: number; firstSkipped: SkippedRow | undefined } {
    let from = 0;
    if (this.#header === undefined) {
      from = text.indexOf("\n") + 1;
      this.#header = text.slice(0, from - 1).replace(/\r$/, "").replace(/^\uFEFF/, "");
      this.#line++;
      if (this.#header !== METRIC_LOG_HEADER) return { skipped: 0, firstSkipped: undefined };
    }
    const parsed = parseErrorLines(from === 0 ? text : text.slice(from), out, {
      firstLine: this.#line,
      ...(ids === undefined ? {} : { ids }),
    });
    this.#line += parsed.lines;
    this.#dataRows += parsed.rows + parsed.skipped;
    return parsed;
  }
}

async function readAt(file: Deno.FsFile, position: number, into: Uint8Array): Promise<number> {
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < into.length) {
    const n = await file.read(into.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled;
}
