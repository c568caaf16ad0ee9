/**
 * What metrics keeps on disk in `LOGS_DIR` for one model, written by one
 * group commit: the metric log (`metric_log.csv`, one row per id), the journal
 * of waiting halves (`metric_halves.jsonl`) and the orphans
 * (`metric_orphans.csv`); a challenger's files carry its name
 * (see `metric_files.ts`). Everything
 * accepted within the flush window, or while a commit is in progress, shares
 * one write and one fdatasync per file.
 *
 * A failed write is the disk's fault, never the messages': the batch is kept,
 * the store pauses (the function reports not ready with the reason), retries
 * with backoff and resumes by itself once the write succeeds. Before each
 * commit the metric log at its path is compared with the open file (inode and
 * size): a deleted, replaced or truncated log is reopened and recovered, and
 * lines someone else appended are set aside into `.rejected`.
 *
 * @module
 */
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { backoffDelay } from "../../shared/runtime/backoff.ts";
import { silentLogger } from "../../shared/logger.ts";
import type { Logger } from "../../shared/logger.ts";
import { CSV_HEADER, recoverLog } from "./_recover_log.ts";
import { METRIC_LOG_FILE } from "../_metric_log.ts";
import { CHAMPION_FILES, type MetricFiles } from "./metric_files.ts";
import { MetricLogFile } from "./_metric_log_file.ts";
import { realScheduler, type Scheduler, type TimerId } from "./_scheduler.ts";
import { openAppend, type OpenAppendFile, SyncedFile } from "./_synced_file.ts";
import type { RowValues, WrittenRows } from "./_written_rows.ts";
import { openOrphans, type Orphan, orphanRecords } from "./_orphans.ts";
import {
  compactHalfJournal,
  encodeHalves,
  loadHalfJournal,
  type StoredHalf,
} from "./half_journal.ts";

export type { Orphan } from "./_orphans.ts";

export { METRIC_LOG_FILE };

/** Options of {@linkcode openMetricStore}. */
export interface OpenMetricStoreOptions {
  /** @default silentLogger */
  logger?: Logger;
  /** The files' names. @default the champion's: {@linkcode CHAMPION_FILES} */
  files?: MetricFiles;
  /** Work accepted within this many ms shares one commit. @default 5 */
  flushMs?: number;
  /** Written ids remembered so none is written twice. @default 1_000_000 */
  dedupWindow?: number;
  /** @default realScheduler */
  scheduler?: Scheduler;
  /** Opens each file for appending. @default Deno.open with `write: true` */
  openFile?: OpenAppendFile;
  /** Told the reason when writes fail, `undefined` when they succeed again. */
  onPause?: (reason: string | undefined) => void;
  /** The halves still waiting, for compaction. @default none */
  waiting?: { readonly size: number; halves(): Iterable<StoredHalf> };
  /** Dead journal lines tolerated before compaction. @default 10_000 */
  compactAfter?: number;
  /** Clock for the halves kept by compaction. @default Date.now */
  now?: () => number;
  /** Backoff of a failed commit. @default { initialMs: 100, maxMs: 5000 } */
  retry?: { initialMs: number; maxMs: number };
}

/** A row the store has: its values and a promise settled once it is on disk. */
export interface Recorded extends RowValues {
  readonly done: Promise<void>;
}

interface Batch {
  readonly rows: (readonly [string, number, number])[];
  readonly halves: StoredHalf[];
  readonly orphans: Orphan[];
  readonly done: PromiseWithResolvers<void>;
  readonly written: { halves: boolean; orphans: boolean; rows: boolean };
}

const encoder = new TextEncoder();

/** Opens (creating or recovering) the store's files under `dir`; returns it and the halves read back. */
export async function openMetricStore(
  dir: string,
  options: OpenMetricStoreOptions = {},
): Promise<{ store: MetricStore; halves: StoredHalf[] }> {
  const logger = options.logger ?? silentLogger;
  const open = options.openFile ?? openAppend;
  const names = options.files ?? CHAMPION_FILES;
  const csvPath = join(dir, names.log);
  const recovered = await recoverLog(csvPath, { logger, ids: options.dedupWindow ?? 1_000_000 });
  const journalPath = join(dir, names.journal);
  const halves = await loadHalfJournal(journalPath, logger);
  const files = {
    csv: await SyncedFile.open(csvPath, open),
    journal: await SyncedFile.open(journalPath, open),
    orphans: await openOrphans(join(dir, names.orphans), open),
  };
  logger.info("metric log opened", {
    path: csvPath,
    rows: recovered.rows,
    remembered: recovered.ids.size,
    journalHalves: halves.length,
  });
  const store = new MetricStore(files, recovered.ids, recovered.rows, halves.length, {
    ...options,
    logger,
    openFile: open,
  });
  return { store, halves };
}

/** The open files; create with {@linkcode openMetricStore}. */
export class MetricStore {
  readonly #csv: MetricLogFile;
  #journal: SyncedFile;
  readonly #orphans: SyncedFile;
  readonly #written: WrittenRows;
  readonly #options: OpenMetricStoreOptions & { logger: Logger; openFile: OpenAppendFile };
  readonly #scheduler: Scheduler;
  readonly #queuedRows = new Map<string, Recorded>();
  readonly #queuedHalves = new Map<string, Promise<void>>();
  #next: Batch = newBatch();
  #timer: TimerId | undefined;
  #writing: Promise<void> | undefined;
  #retry: { timer: TimerId; wake: () => void } | undefined;
  #journalLines: number;
  #rowsWritten = 0;
  #paused: string | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Wraps opened files; use {@linkcode openMetricStore}. */
  constructor(
    files: { csv: SyncedFile; journal: SyncedFile; orphans: SyncedFile },
    written: WrittenRows,
    csvRows: number,
    journalLines: number,
    options: OpenMetricStoreOptions & { logger: Logger; openFile: OpenAppendFile },
  ) {
    this.#csv = new MetricLogFile(files.csv, csvRows, {
      written,
      logger: options.logger,
      open: options.openFile,
    });
    this.#journal = files.journal;
    this.#orphans = files.orphans;
    this.#written = written;
    this.#journalLines = journalLines;
    this.#options = options;
    this.#scheduler = options.scheduler ?? realScheduler;
  }

  /** Rows this instance wrote. */
  get rowsWritten(): number {
    return this.#rowsWritten;
  }

  /** Rows accepted but not yet on disk. */
  get queued(): number {
    return this.#queuedRows.size;
  }

  /** Lines in the journal, live or dead, since it was last compacted. */
  get journalLines(): number {
    return this.#journalLines;
  }

  /** Why writes are failing now; `undefined` when they are not. */
  get paused(): string | undefined {
    return this.#paused;
  }

  /** The id's row if written or queued, with a promise settled once on disk. */
  recorded(id: string): Recorded | undefined {
    const queued = this.#queuedRows.get(id);
    if (queued !== undefined) return queued;
    const values = this.#written.get(id);
    return values === undefined ? undefined : { ...values, done: Promise.resolve() };
  }

  /** Queues a row; resolves once it is synced. */
  appendRow(id: string, yTrue: number, yPred: number): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(id));
    const batch = this.#next;
    batch.rows.push([id, yTrue, yPred]);
    const done = batch.done.promise;
    this.#queuedRows.set(id, { yTrue, yPred, done });
    this.#schedule();
    return done;
  }

  /** Queues a lone half for the journal; resolves once it is synced. */
  storeHalf(half: StoredHalf): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(half.id));
    const batch = this.#next;
    batch.halves.push(half);
    const done = batch.done.promise;
    this.#queuedHalves.set(half.id, done);
    this.#schedule();
    return done;
  }

  /** When the half stored under `id` is on disk (now, if not queued). */
  halfStored(id: string): Promise<void> {
    return this.#queuedHalves.get(id) ?? Promise.resolve();
  }

  /** Queues orphans for the orphans file; resolves once they are synced. */
  orphan(orphans: readonly Orphan[]): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new Error("Cannot record orphans: the store is closed"));
    }
    this.#next.orphans.push(...orphans);
    this.#schedule();
    return this.#next.done.promise;
  }

  /** Commits everything accepted now and waits until it is on disk (or the store closed). */
  async flush(): Promise<void> {
    this.#cancelTimer();
    while (this.#writing !== undefined || !isEmpty(this.#next)) {
      this.#startCommit();
      await this.#writing;
    }
  }

  /**
   * Flushes and closes the files. A commit still failing is given up: its
   * messages reject (they were never acked) and return to their queues.
   * May be called twice.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#retry?.wake();
    try {
      await this.flush();
    } finally {
      this.#cancelTimer();
      for (const file of [this.#csv, this.#journal, this.#orphans]) file.close();
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#writing !== undefined) return;
    this.#timer = this.#scheduler.setTimeout(() => {
      this.#timer = undefined;
      this.#startCommit();
    }, this.#options.flushMs ?? 5);
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    this.#scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // Work that arrives during a commit goes out together right after it.
  #startCommit(): void {
    if (this.#writing !== undefined || isEmpty(this.#next)) return;
    const batch = this.#next;
    this.#next = newBatch();
    this.#writing = this.#commit(batch).finally(() => {
      this.#writing = undefined;
      this.#startCommit();
    });
  }

  async #commit(batch: Batch): Promise<void> {
    for (let attempt = 1;; attempt++) {
      try {
        await this.#writeBatch(batch);
        break;
      } catch (cause) {
        if (this.#closed) return this.#giveUp(batch, cause);
        this.#failed(cause, attempt);
        const retry = this.#options.retry ?? { initialMs: 100, maxMs: 5000 };
        await this.#wait(backoffDelay(attempt, retry));
        if (this.#closed) return this.#giveUp(batch, cause);
      }
    }
    if (this.#paused !== undefined) {
      this.#options.logger.info("metric store writes again", { was: this.#paused });
      this.#paused = undefined;
      this.#options.onPause?.(undefined);
    }
    this.#done(batch);
    await this.#compactIfDue();
  }

  async #writeBatch(batch: Batch): Promise<void> {
    const { written } = batch;
    if (!written.halves) {
      await this.#journal.append(encodeHalves(batch.halves));
      this.#journalLines += batch.halves.length;
      written.halves = true;
    }
    if (!written.orphans) {
      await this.#orphans.append(encoder.encode(orphanRecords(batch.orphans)));
      written.orphans = true;
    }
    // Right before the write: the shorter the gap, the less a foreign append
    // in it can be overwritten unseen.
    await this.#csv.ensureOurs();
    if (!written.rows) {
      const records = batch.rows.map(([id, t, p]) => [id, t, p, Math.abs(t - p)]);
      const bytes = encoder.encode(records.length === 0 ? "" : stringify(records));
      await this.#csv.append(bytes, records.length);
      written.rows = true;
    }
  }

  #done(batch: Batch): void {
    for (const [id, yTrue, yPred] of batch.rows) {
      this.#written.add(id, yTrue, yPred);
      this.#queuedRows.delete(id);
    }
    for (const half of batch.halves) this.#queuedHalves.delete(half.id);
    this.#rowsWritten += batch.rows.length;
    batch.done.resolve();
  }

  #failed(cause: unknown, attempt: number): void {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const message = `Cannot write the metric log "${this.#csv.path}" or its journal: ${detail}`;
    if (this.#paused === undefined || attempt % 20 === 0) {
      this.#options.logger.error("metric store write failed", { attempt, error: cause });
    }
    if (this.#paused !== message) this.#options.onPause?.(message);
    this.#paused = message;
  }

  #giveUp(batch: Batch, cause: unknown): void {
    for (const [id] of batch.rows) this.#queuedRows.delete(id);
    for (const half of batch.halves) this.#queuedHalves.delete(half.id);
    batch.done.reject(new Error("Cannot commit: the store closed while writes failed", { cause }));
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#scheduler.clearTimeout(timer);
        this.#retry = undefined;
        resolve();
      };
      const timer = this.#scheduler.setTimeout(wake, ms);
      this.#retry = { timer, wake };
    });
  }

  // Rewrites the journal with the halves still needed once most of it is dead:
  // those waiting, and those of work queued now (not yet on disk elsewhere).
  async #compactIfDue(): Promise<void> {
    const live = this.#options.waiting?.size ?? 0;
    const dead = this.#journalLines - live;
    if (dead < (this.#options.compactAfter ?? 10_000) || dead < live) return;
    const waiting = this.#options.waiting?.halves() ?? [];
    const now = (this.#options.now ?? Date.now)();
    const queued: StoredHalf[] = [...this.#next.orphans, ...this.#next.halves];
    for (const [id, yTrue, yPred] of this.#next.rows) {
      queued.push({ id, side: "y_true", value: yTrue, since: now });
      queued.push({ id, side: "y_pred", value: yPred, since: now });
    }
    const path = this.#journal.path;
    try {
      await compactHalfJournal(path, [waiting, queued]);
      this.#journal.close();
      this.#journal = await SyncedFile.open(path, this.#options.openFile);
      this.#options.logger.info("half journal compacted", { path, dead, kept: live });
      this.#journalLines = live + queued.length;
    } catch (error) {
      // Not fatal: the journal only grows until the next try.
      this.#options.logger.warn("half journal compaction failed", { path, error });
      // Counted as compacted so the next try waits for as many new lines.
      this.#journalLines = live;
    }
  }
}

function newBatch(): Batch {
  return {
    rows: [],
    halves: [],
    orphans: [],
    done: Promise.withResolvers<void>(),
    written: { halves: false, orphans: false, rows: false },
  };
}

function isEmpty(batch: Batch): boolean {
  return batch.rows.length === 0 && batch.halves.length === 0 && batch.orphans.length === 0;
}

function closedError(id: string): Error {
  return new Error(`Cannot store id "${id}": the metric store is closed`);
}

export { CSV_HEADER };
