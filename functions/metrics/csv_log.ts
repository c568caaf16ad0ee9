/**
 * The metric log: a CSV file that rows are appended to durably, at most once
 * per id, with group commit (one write and one sync for every row that
 * arrives within the flush window or while a write is in progress).
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { silentLogger } from "../../shared/logger.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RowValues, WrittenRows } from "./_written_rows.ts";
import { recoverLog, writeAll } from "./_recover_log.ts";
import { realScheduler } from "./_scheduler.ts";
import type { Scheduler, TimerId } from "./_scheduler.ts";

export { CSV_HEADER } from "./_recover_log.ts";

/** The part of a file the log appends through; `Deno.FsFile` is one. */
export interface AppendFile {
  /** Writes some of `data`; resolves with how many bytes. */
  write(data: Uint8Array): Promise<number>;
  /** Flushes written data to the disk. */
  syncData(): Promise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length?: number): Promise<void>;
  /** Releases the file. */
  close(): void;
}

/** Opens an existing file for appending. */
export type OpenAppendFile = (path: string) => Promise<AppendFile>;

/** What an append did: wrote the row, or found the id already written. */
export type AppendResult = "written" | "duplicate";

/** Options of {@linkcode openCsvLog}. */
export interface OpenCsvLogOptions {
  /** Where repairs and failed writes are reported. @default silentLogger */
  logger?: Logger;
  /** Rows arriving within this many ms share one write and one sync. @default 5 */
  flushMs?: number;
  /**
   * Ids remembered to refuse a second row. Bounded so memory stays flat as the
   * file grows; a redelivery comes within seconds (unacked or retried
   * messages), never after a million newer rows. @default 1_000_000
   */
  dedupWindow?: number;
  /** Timers. @default realScheduler */
  scheduler?: Scheduler;
  /** Opens the file for appending. @default Deno.open with `append: true` */
  openFile?: OpenAppendFile;
}

interface Batch {
  readonly ids: string[];
  readonly records: string[][];
  readonly done: PromiseWithResolvers<void>;
}

const encoder = new TextEncoder();

/** True when `id` can be a row's id: a row must stay one line for the start-up repair. */
export function isLoggableId(id: string): boolean {
  return id.length > 0 && !/[\r\n]/.test(id);
}

/** Opens (creating or repairing) the metric log at `path`. */
export async function openCsvLog(path: string, options: OpenCsvLogOptions = {}): Promise<CsvLog> {
  const logger = options.logger ?? silentLogger;
  const dedupWindow = options.dedupWindow ?? 1_000_000;
  const recovered = await recoverLog(path, { logger, dedupWindow });
  const open = options.openFile ?? ((file: string) => Deno.open(file, { append: true }));
  const file = await open(path);
  logger.info("metric log opened", { path, rows: recovered.rows, remembered: recovered.ids.size });
  return new CsvLog({
    path,
    file,
    logger,
    written: recovered.ids,
    size: recovered.size,
    rowsInFile: recovered.rows,
    flushMs: options.flushMs ?? 5,
    scheduler: options.scheduler ?? realScheduler,
  });
}

/** What {@linkcode CsvLog} starts from; see {@linkcode openCsvLog}. */
export interface CsvLogInit {
  readonly path: string;
  readonly file: AppendFile;
  readonly logger: Logger;
  readonly written: WrittenRows;
  readonly size: number;
  readonly rowsInFile: number;
  readonly flushMs: number;
  readonly scheduler: Scheduler;
}

/** A row the log has: its values and when it is (or was) on disk. */
export interface Recorded extends RowValues {
  readonly done: Promise<void>;
}

/** An open metric log; create it with {@linkcode openCsvLog}. */
export class CsvLog {
  readonly #init: CsvLogInit;
  readonly #written: WrittenRows;
  // Ids in the open batch or in the write in progress, with that write's promise.
  readonly #queued = new Map<string, Recorded>();
  #next: Batch = newBatch();
  #timer: TimerId | undefined;
  #writing: Promise<void> | undefined;
  #size: number;
  #rowsWritten = 0;
  #broken: Error | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Wraps an opened, recovered file; use {@linkcode openCsvLog}. */
  constructor(init: CsvLogInit) {
    this.#init = init;
    this.#written = init.written;
    this.#size = init.size;
  }

  /** The file's path. */
  get path(): string {
    return this.#init.path;
  }

  /** Rows this instance wrote. */
  get rowsWritten(): number {
    return this.#rowsWritten;
  }

  /** Rows in the file, including those from before the start. */
  get rowsInFile(): number {
    return this.#init.rowsInFile + this.#rowsWritten;
  }

  /** Rows accepted but not yet on disk. */
  get queued(): number {
    return this.#queued.size;
  }

  /**
   * The id's row if the log has it, written or queued, with its values and a
   * promise that settles once it is on disk; `undefined` when the log knows
   * nothing of the id.
   */
  recorded(id: string): Recorded | undefined {
    const written = this.#written.get(id);
    if (written !== undefined) return { ...written, done: Promise.resolve() };
    return this.#queued.get(id);
  }

  /**
   * Appends the row `id,yTrue,yPred,|yTrue-yPred|` unless the id was written;
   * resolves once the row is on disk.
   */
  append(id: string, yTrue: number, yPred: number): Promise<AppendResult> {
    if (!isLoggableId(id)) {
      throw new RangeError(
        `Cannot append id ${JSON.stringify(id)}: it is empty or has a line break`,
      );
    }
    if (!Number.isFinite(yTrue) || !Number.isFinite(yPred)) {
      throw new RangeError(
        `Cannot append id "${id}": values "${yTrue}" and "${yPred}" must be finite`,
      );
    }
    if (this.#written.has(id)) return Promise.resolve("duplicate");
    const queued = this.#queued.get(id);
    if (queued !== undefined) return queued.done.then(() => "duplicate");
    if (this.#closed) {
      return Promise.reject(new Error(`Cannot append to "${this.path}": the log is closed`));
    }
    const batch = this.#next;
    batch.ids.push(id);
    // String(number) is the shortest text that parses back to the same double.
    batch.records.push([id, String(yTrue), String(yPred), String(Math.abs(yTrue - yPred))]);
    this.#queued.set(id, { yTrue, yPred, done: batch.done.promise });
    this.#schedule();
    return batch.done.promise.then(() => "written");
  }

  /** Writes every accepted row now and waits until all are on disk (or failed). */
  async flush(): Promise<void> {
    this.#cancelTimer();
    while (this.#writing !== undefined || this.#next.ids.length > 0) {
      this.#startWrite();
      await this.#writing;
    }
  }

  /** Flushes and closes the file; later appends reject. May be called twice. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      this.#cancelTimer();
      this.#init.file.close();
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#writing !== undefined) return;
    this.#timer = this.#init.scheduler.setTimeout(() => {
      this.#timer = undefined;
      this.#startWrite();
    }, this.#init.flushMs);
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    this.#init.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // Rows that arrive during a write go out together right after it.
  #startWrite(): void {
    if (this.#writing !== undefined || this.#next.ids.length === 0) return;
    const batch = this.#next;
    this.#next = newBatch();
    this.#writing = this.#write(batch).finally(() => {
      this.#writing = undefined;
      this.#startWrite();
    });
  }

  async #write(batch: Batch): Promise<void> {
    const bytes = encoder.encode(stringify(batch.records));
    try {
      if (this.#broken !== undefined) throw this.#broken;
      await writeAll(this.#init.file, bytes);
      await this.#init.file.syncData();
    } catch (cause) {
      await this.#rollback(cause);
      for (const id of batch.ids) this.#queued.delete(id);
      batch.done.reject(
        new Error(`Cannot append ${batch.ids.length} rows to "${this.path}"`, { cause }),
      );
      return;
    }
    this.#size += bytes.length;
    this.#rowsWritten += batch.ids.length;
    for (const id of batch.ids) {
      const { yTrue, yPred } = this.#queued.get(id)!;
      this.#written.add(id, yTrue, yPred);
      this.#queued.delete(id);
    }
    batch.done.resolve();
  }

  // After a failed write or sync the page cache cannot be trusted: cut back to
  // the last synced size so the retried rows are written whole once. If even
  // that fails, refuse further writes rather than risk a torn middle line.
  async #rollback(cause: unknown): Promise<void> {
    this.#init.logger.error("metric log write failed", { path: this.path, error: cause });
    if (this.#broken !== undefined) return;
    try {
      await this.#init.file.truncate(this.#size);
    } catch (error) {
      this.#broken = new Error(`Cannot append to "${this.path}": rollback failed`, {
        cause: error,
      });
      this.#init.logger.error("metric log broken", { path: this.path, error });
    }
  }
}

function newBatch(): Batch {
  return { ids: [], records: [], done: Promise.withResolvers<void>() };
}
