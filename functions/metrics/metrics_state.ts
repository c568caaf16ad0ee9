/**
 * The metrics function's state: the pending join feeding the durable CSV log,
 * with the counters, gauges and periodic status line around them.
 *
 * @module
 */
import { join } from "node:path";
import type { Context, Counter, Gauge, MessageOf } from "../../shared/define_function.ts";
import type { SettingValues } from "../../shared/settings.ts";
import { METRIC_LOG_FILE } from "../_metric_log.ts";
import type { FEATURES_Y_TRUE, PREDICTIONS_Y_PRED } from "../_streams.ts";
import type { metricsSettings } from "./settings.ts";
import { PermanentError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { realScheduler } from "./_scheduler.ts";
import type { Scheduler, TimerId } from "./_scheduler.ts";
import { isLoggableId, openCsvLog } from "./csv_log.ts";
import type { CsvLog, OpenAppendFile, Recorded } from "./csv_log.ts";
import { JoinById } from "./join_by_id.ts";
import type { EvictReason, Side } from "./join_by_id.ts";

/** Options of {@linkcode openMetricsState}. */
export interface OpenMetricsStateOptions {
  /** Timers of the join, the log and the status line. @default realScheduler */
  scheduler?: Scheduler;
  /** Opens the log for appending. @default Deno.open with `append: true` */
  openFile?: OpenAppendFile;
  /** How often the waiting state is logged and the gauges set. @default 5000 */
  statusMs?: number;
}

interface Instruments {
  readonly rows: Counter;
  readonly duplicates: Counter;
  readonly evictions: Counter;
  readonly conflicts: Counter;
  readonly pending: Gauge;
  readonly oldestPendingMs: Gauge;
  readonly rowsWritten: Gauge;
}

/** A message metrics consumes: a truth or a prediction. */
export type HalfMessage = MessageOf<typeof FEATURES_Y_TRUE | typeof PREDICTIONS_Y_PRED>;

/** The context metrics runs in: it publishes nothing and reads its own settings. */
export type MetricsContext = Context<never, SettingValues<typeof metricsSettings>>;

/** Opens the metric log under `config.logsDir` and starts the join and status timer. */
export async function openMetricsState(
  ctx: MetricsContext,
  options: OpenMetricsStateOptions = {},
): Promise<MetricsState> {
  const metrics = ctx.config;
  const { logsDir } = metrics;
  const scheduler = options.scheduler ?? realScheduler;
  const log = await openCsvLog(join(logsDir, METRIC_LOG_FILE), {
    logger: ctx.logger,
    flushMs: metrics.flushMs,
    dedupWindow: metrics.dedupWindow,
    scheduler,
    ...(options.openFile === undefined ? {} : { openFile: options.openFile }),
  });
  return new MetricsState(log, ctx, { scheduler, statusMs: options.statusMs ?? 5000 });
}

/** Options of the {@linkcode MetricsState} constructor. */
export interface MetricsStateOptions {
  /** Timers of the join and the status line. @default realScheduler */
  scheduler?: Scheduler;
  /** How often the waiting state is logged and the gauges set. @default 5000 */
  statusMs?: number;
}

/** What the metrics function keeps between messages; see {@linkcode openMetricsState}. */
export class MetricsState {
  readonly #log: CsvLog;
  readonly #join: JoinById;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #instruments: Instruments;
  readonly #scheduler: Scheduler;
  readonly #statusTimer: TimerId;
  #closing: Promise<void> | undefined;

  /** Wraps an open log; starts the join's sweep and the status timer. */
  constructor(log: CsvLog, ctx: MetricsContext, options: MetricsStateOptions = {}) {
    const scheduler = options.scheduler ?? realScheduler;
    this.#log = log;
    this.#logger = ctx.logger;
    this.#now = () => ctx.now();
    this.#scheduler = scheduler;
    this.#instruments = instruments(ctx);
    this.#join = new JoinById((id, yTrue, yPred) => this.#writePair(id, yTrue, yPred), {
      ttlMs: ctx.config.pendingTtlMs,
      maxPending: ctx.config.pendingMax,
      now: this.#now,
      scheduler,
      onEvict: (id, reason, error) => this.#onEvict(id, reason, error),
      onConflict: (id, error) => this.#conflict(id, error),
    });
    this.#statusTimer = scheduler.setInterval(() => this.report(), options.statusMs ?? 5000);
  }

  /** Settles when the message's row is on disk; see the module docs of mod.ts. */
  handle(message: HalfMessage): Promise<void> {
    // Not async: metrics may hold a great many halves at once, and an async
    // frame per half is memory the join's own promise already covers.
    try {
      const { side, value } = halfOf(message);
      const { id } = message;
      if (!isLoggableId(id)) {
        throw new PermanentError(
          `Cannot log id ${JSON.stringify(id)}: it is empty or has a line break`,
        );
      }
      const recorded = this.#log.recorded(id);
      if (recorded !== undefined) return this.#again(message, side, value, recorded);
      const joined = this.#join.offer(id, side, value);
      if (side === "y_pred") return joined;
      // The source stamps both halves; from the truth's stamp to the durable row
      // is the pipeline's end-to-end latency (what `deno task bench` reports).
      return joined.then(() =>
        this.#logger.debug("row written", { id, latencyMs: this.#now() - message.timestamp })
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // A redelivery carries the value already in the row; another value is a
  // second publisher's conflicting claim: the first row stands.
  #again(message: HalfMessage, side: Side, value: number, recorded: Recorded): Promise<void> {
    const kept = side === "y_true" ? recorded.yTrue : recorded.yPred;
    if (kept !== value) {
      const error = new PermanentError(
        `Conflicting ${side} for id "${message.id}": kept "${kept}", refused "${value}"`,
      );
      this.#conflict(message.id, error);
      throw error;
    }
    this.#instruments.duplicates.inc();
    this.#logger.debug("duplicate", { id: message.id, stream: message.stream });
    return recorded.done;
  }

  /** Sets the gauges and logs the waiting state. */
  report(): void {
    const pending = this.#join.size;
    const oldestPendingMs = this.#join.oldestAgeMs();
    const rowsWritten = this.#log.rowsWritten;
    this.#instruments.pending.set(pending);
    this.#instruments.oldestPendingMs.set(oldestPendingMs);
    this.#instruments.rowsWritten.set(rowsWritten);
    this.#logger.info("waiting", {
      pending,
      oldestPendingMs,
      rowsWritten,
      queued: this.#log.queued,
    });
  }

  /**
   * Rejects halves still waiting (retryable, so they return to their queue),
   * writes the rows already paired, closes the file. May be called twice.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#scheduler.clearInterval(this.#statusTimer);
    const pending = this.#join.size;
    this.#join.close();
    if (pending > 0) this.#logger.info("pending released", { pending });
    await this.#log.close();
    this.report();
  }

  async #writePair(id: string, yTrue: number, yPred: number): Promise<void> {
    const result = await this.#log.append(id, yTrue, yPred);
    if (result === "written") this.#instruments.rows.inc();
    else this.#instruments.duplicates.inc();
  }

  #conflict(id: string, error: Error): void {
    this.#instruments.conflicts.inc();
    this.#logger.warn("pair conflict", { id, error });
  }

  #onEvict(id: string, reason: EvictReason, error: Error): void {
    if (reason === "closed") return;
    this.#instruments.evictions.inc();
    this.#logger.warn("pair evicted", { id, reason, error });
  }
}

function halfOf(message: HalfMessage): { side: Side; value: number } {
  switch (message.stream) {
    case "features/Y_true":
      return { side: "y_true", value: message.data.y_true };
    case "predictions/Y_pred":
      return { side: "y_pred", value: message.data.y_pred };
  }
}

function instruments(ctx: MetricsContext): Instruments {
  return {
    rows: ctx.counter("metrics_rows", "Rows appended to the metric log"),
    duplicates: ctx.counter("metrics_duplicates", "Messages whose id was already written"),
    evictions: ctx.counter(
      "metrics_evictions",
      "Halves given up: no partner in time or table full",
    ),
    conflicts: ctx.counter(
      "metrics_conflicts",
      "Halves refused for a value differing from the waiting one",
    ),
    pending: ctx.gauge("metrics_pending", "Ids waiting for their partner"),
    oldestPendingMs: ctx.gauge("metrics_oldest_pending_ms", "Age of the oldest waiting half in ms"),
    rowsWritten: ctx.gauge("metrics_rows_written", "Rows this process appended"),
  };
}
