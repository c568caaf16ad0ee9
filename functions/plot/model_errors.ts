/**
 * One model's metric log as the plot holds it: an incremental reader of the
 * file, every error ascending (the histogram, MAE and RMSE), and, when the
 * model is compared with another, its error by id (the pairs of the verdict).
 * It says what the file looks like once per change of state, not on every
 * read.
 *
 * @module
 */
import type { Counter } from "../../shared/define_function.ts";
import { type Logger, loggerWith } from "../../shared/logger.ts";
import type { ErrorSummary } from "./histogram_chart.ts";
import {
  METRIC_LOG_HEADER,
  type MetricLogRead,
  MetricLogReader,
  type MetricLogStatus,
} from "./metric_log_reader.ts";
import { SortedErrors } from "./sorted_errors.ts";

/** Which model's metric log, and where. */
export interface ModelLog {
  readonly model: string;
  /** The metric log's path. */
  readonly path: string;
  /** The champion's missing file is a warning; a challenger's is normal (no rows yet). */
  readonly champion: boolean;
}

/** Where {@linkcode ModelErrors} reports. */
export interface ModelErrorsReport {
  readonly logger: Logger;
  /** Raised by the rows that cannot be parsed. */
  readonly skippedRows: Counter;
}

/** Options of {@linkcode ModelErrors}. */
export interface ModelErrorsOptions {
  /** Bytes read at a time; also the longest line accepted. @default 1 MiB */
  chunkBytes?: number;
  /** Keeps each row's error by its id, for pairing with another model. @default false */
  byId?: boolean;
}

/** The errors of one model's metric log, kept up to date by {@linkcode ModelErrors.read}. */
export class ModelErrors {
  readonly #log: ModelLog;
  readonly #logger: Logger;
  readonly #skippedRows: Counter;
  readonly #reader: MetricLogReader;
  readonly #errors = new SortedErrors();
  readonly #byId: Map<string, number> | undefined;
  #version = 0;
  #status: MetricLogStatus | undefined;
  #torn = false;

  /** Sets up the reader of `log.path`; nothing is read yet. */
  constructor(log: ModelLog, report: ModelErrorsReport, options: ModelErrorsOptions = {}) {
    this.#log = log;
    // Every line says which model's file it is about.
    this.#logger = loggerWith(report.logger, { model: log.model, path: log.path });
    this.#skippedRows = report.skippedRows;
    const byId = options.byId ?? false;
    const chunk = options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes };
    this.#reader = new MetricLogReader(log.path, { ...chunk, ids: byId });
    this.#byId = byId ? new Map() : undefined;
  }

  /** The model's name. */
  get model(): string {
    return this.#log.model;
  }

  /** True for the champion. */
  get champion(): boolean {
    return this.#log.champion;
  }

  /** The metric log's path. */
  get path(): string {
    return this.#log.path;
  }

  /** Raised by every change of the errors: compare two values to know whether to redraw. */
  get version(): number {
    return this.#version;
  }

  /** How many errors are held. */
  get rows(): number {
    return this.#errors.length;
  }

  /** Rows, MAE and RMSE. */
  get summary(): ErrorSummary {
    const errors = this.#errors;
    return { rows: errors.length, mae: errors.mae, rmse: errors.rmse };
  }

  /** The errors, ascending; a view that the next {@linkcode read} invalidates. */
  values(): Float64Array {
    return this.#errors.values();
  }

  /**
   * Each row's error by id; empty unless `byId` was asked for. Should an id
   * appear twice (metrics writes each once), its last row counts here.
   */
  get errorsById(): ReadonlyMap<string, number> {
    return this.#byId ?? EMPTY;
  }

  /** Reads what the file gained; true when the errors changed. */
  async read(): Promise<boolean> {
    const version = this.#version;
    const read = await this.#reader.read();
    this.#take(read);
    this.#say(read);
    return this.#version !== version;
  }

  #take(read: MetricLogRead): void {
    if (read.reset !== undefined) {
      this.#errors.clear();
      this.#byId?.clear();
      this.#version++;
      this.#logger.warn("Metric log changed under the reader, reading it again", {
        reason: read.reset,
      });
    }
    if (read.errors.length > 0) {
      // Before `add`, which sorts the batch in place and so parts it from its ids.
      const { errors, ids } = read;
      for (let i = 0; i < ids.length; i++) this.#byId?.set(ids[i]!, errors[i]!);
      this.#errors.add(errors);
      this.#version++;
    }
    if (read.skipped > 0) {
      this.#skippedRows.inc(read.skipped);
      this.#logger.warn("Skipped rows that cannot be parsed", {
        skipped: read.skipped,
        line: read.firstSkipped?.line,
        reason: read.firstSkipped?.reason,
      });
    }
  }

  // Says what the file looks like only when that changes, not on every read.
  #say(read: MetricLogRead): void {
    const logger = this.#logger;
    if (read.status !== this.#status) {
      this.#status = read.status;
      if (read.status === "missing") {
        if (this.#log.champion) logger.warn("Metric log not found");
        else logger.info("Metric log not found");
      }
      if (read.status === "empty") logger.info("Metric log has no rows yet");
      if (read.status === "rows") logger.info("Metric log has rows");
      if (read.status === "bad-header") {
        logger.warn("Metric log has an unexpected header, not reading it", {
          header: read.header,
          expected: METRIC_LOG_HEADER,
        });
      }
    }
    const torn = read.tornBytes > 0;
    if (torn && !this.#torn) {
      logger.info("Torn last line left for the next tick", { bytes: read.tornBytes });
    }
    this.#torn = torn;
  }
}

const EMPTY: ReadonlyMap<string, number> = new Map();
