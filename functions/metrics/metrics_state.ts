/**
 * One model's join: truths with that model's predictions, by id, over its
 * durable store, with the counters, gauges (labelled with the model), orphan
 * sweep and periodic status line around it. {@linkcode MetricsJoins} runs one
 * per compared model.
 *
 * @module
 */
import type { Context, Counter, Gauge, MessageOf } from "../../shared/define_function.ts";
import type { SettingValues } from "../../shared/settings.ts";
import type { FEATURES_Y_TRUE, PREDICTIONS_Y_PRED } from "../_streams.ts";
import type { metricsSettings } from "./settings.ts";
import { PermanentError } from "../../shared/errors.ts";
import { type Logger, loggerWith } from "../../shared/logger.ts";
import { realScheduler } from "./_scheduler.ts";
import type { Scheduler, TimerId } from "./_scheduler.ts";
import type { OpenAppendFile } from "./_synced_file.ts";
import type { Side, StoredHalf } from "./half_journal.ts";
import { type MetricStore, openMetricStore, type Recorded } from "./metric_store.ts";
import { WaitingHalves } from "./waiting_halves.ts";
import { metricFiles } from "./metric_files.ts";

export { METRIC_LOG_FILE } from "./metric_store.ts";

/** A message metrics consumes: a truth or a prediction. */
export type HalfMessage = MessageOf<typeof FEATURES_Y_TRUE | typeof PREDICTIONS_Y_PRED>;

/** The context metrics runs in: it publishes nothing and reads its own settings. */
export type MetricsContext = Context<never, SettingValues<typeof metricsSettings>>;

/** Options of {@linkcode openMetricsState}. */
export interface OpenMetricsStateOptions {
  /** The model whose predictions this join takes. @default the champion (`CHAMPION`) */
  model?: string;
  /** Timers of the store, the sweep and the status line. @default realScheduler */
  scheduler?: Scheduler;
  /** Opens each file for appending. @default Deno.open with `write: true` */
  openFile?: OpenAppendFile;
  /** How often the waiting state is logged, the gauges set and orphans swept. @default 5000 */
  statusMs?: number;
  /** Backoff of failed writes. @default { initialMs: 100, maxMs: 5000 } */
  retry?: { initialMs: number; maxMs: number };
}

interface Settings {
  readonly orphanAfterMs: number;
  readonly pendingMax: number;
}

interface Instruments {
  readonly rows: Counter;
  readonly duplicates: Counter;
  readonly orphans: Counter;
  readonly conflicts: Counter;
  readonly waiting: Gauge;
  readonly waitingTruths: Gauge;
  readonly waitingPredictions: Gauge;
  readonly oldestWaitingMs: Gauge;
  readonly rowsWritten: Gauge;
  readonly paused: Gauge;
}

/**
 * Opens one model's store under `LOGS_DIR`, rebuilds its waiting halves,
 * starts its status timer.
 */
export async function openMetricsState(
  ctx: MetricsContext,
  options: OpenMetricsStateOptions = {},
): Promise<MetricsState> {
  // The only place a join reads the settings.
  const metrics = ctx.config;
  const { logsDir } = metrics;
  const model = options.model ?? metrics.champion;
  const files = metricFiles(model, metrics.champion);
  const scheduler = options.scheduler ?? realScheduler;
  const waiting = new WaitingHalves();
  // The store exists before the state whose gauge and context a pause sets.
  let paused = (_reason: string | undefined): void => {};
  const logger = loggerWith(ctx.logger, { model });
  const { store, halves } = await openMetricStore(logsDir, {
    files,
    logger,
    flushMs: metrics.flushMs,
    dedupWindow: metrics.dedupWindow,
    scheduler,
    now: () => ctx.now(),
    onPause: (reason) => paused(reason),
    waiting,
    ...(options.openFile === undefined ? {} : { openFile: options.openFile }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
  const state = new MetricsState(store, waiting, { ...ctx, logger }, {
    orphanAfterMs: metrics.orphanAfterMs,
    pendingMax: metrics.pendingMax,
  }, { scheduler, statusMs: options.statusMs ?? 5000, model });
  paused = (reason) => state.paused(reason);
  await state.rebuild(halves);
  return state;
}

/** One model's join; see {@linkcode openMetricsState}. */
export class MetricsState {
  readonly #store: MetricStore;
  readonly #waiting: WaitingHalves;
  readonly #settings: Settings;
  readonly #logger: Logger;
  readonly #ctx: MetricsContext;
  readonly #now: () => number;
  readonly #instruments: Instruments;
  readonly #scheduler: Scheduler;
  readonly #statusTimer: TimerId;
  readonly #sweepTimer: TimerId;
  #closing: Promise<void> | undefined;

  /** Wraps an open store; starts the status timer. */
  constructor(
    store: MetricStore,
    waiting: WaitingHalves,
    ctx: MetricsContext,
    settings: Settings,
    options: { scheduler: Scheduler; statusMs: number; model: string },
  ) {
    this.#store = store;
    this.#waiting = waiting;
    this.#settings = settings;
    this.#logger = ctx.logger;
    this.#ctx = ctx;
    this.#now = () => ctx.now();
    this.#scheduler = options.scheduler;
    this.#instruments = instruments(ctx, options.model);
    this.#statusTimer = this.#scheduler.setInterval(() => this.report(), options.statusMs);
    const sweepMs = Math.min(settings.orphanAfterMs, options.statusMs);
    this.#sweepTimer = this.#scheduler.setInterval(() => this.sweep(), sweepMs);
  }

  /** Restores the halves read back from the journal: pairs found are written, the rest wait. */
  async rebuild(halves: readonly StoredHalf[]): Promise<void> {
    const rows: Promise<void>[] = [];
    for (const half of halves) {
      if (this.#store.recorded(half.id) !== undefined) continue;
      const partner = this.#waiting.get(half.id);
      if (partner === undefined) this.#waiting.add(half);
      else if (half.since - partner.since >= this.#settings.orphanAfterMs) {
        // The first half was an orphan by the time this one came: no row.
        this.#waiting.take(half.id);
        this.#waiting.add(half);
      } else if (partner.side !== half.side) {
        this.#waiting.take(half.id);
        const [yTrue, yPred] = half.side === "y_true"
          ? [half.value, partner.value]
          : [partner.value, half.value];
        rows.push(this.#writeRow(half.id, yTrue, yPred));
      }
    }
    await Promise.all(rows);
    this.#logger.info("waiting halves rebuilt", {
      journal: halves.length,
      waiting: this.#waiting.size,
      y_true: this.#waiting.count("y_true"),
      y_pred: this.#waiting.count("y_pred"),
      rows: rows.length,
    });
    this.report();
  }

  /**
   * Settles once the message is on disk: a lone half in the journal, the
   * second half of a pair as its row. See the module docs of mod.ts.
   */
  handle(message: HalfMessage): Promise<void> {
    // Not async: metrics may take a great many halves at once, and an async
    // frame per half is memory the store's own promise already covers.
    try {
      const { side, value } = halfOf(message);
      const { id } = message;
      if (id.length === 0 || /[\r\n]/.test(id)) {
        throw new PermanentError(
          `Cannot log id ${JSON.stringify(id)}: it is empty or has a line break`,
        );
      }
      const recorded = this.#store.recorded(id);
      if (recorded !== undefined) return this.#again(message, side, value, recorded);
      const waiting = this.#waiting.get(id);
      if (waiting === undefined) {
        return this.#wait({ id, side, value, since: this.#now(), stamp: message.timestamp });
      }
      if (waiting.side === side) {
        if (waiting.value !== value) throw this.#conflict(id, side, waiting.value, value);
        this.#instruments.duplicates.inc();
        return this.#store.halfStored(id);
      }
      this.#waiting.take(id);
      const row = side === "y_true"
        ? this.#writeRow(id, value, waiting.value)
        : this.#writeRow(id, waiting.value, value);
      // The source stamps the truth; from its stamp to the durable row is the
      // pipeline's end-to-end latency (what `deno task bench` reports).
      const stamp = side === "y_true" ? message.timestamp : waiting.stamp;
      return row.then(() =>
        this.#logger.debug("row written", { id, latencyMs: this.#now() - stamp })
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #wait(half: StoredHalf): Promise<void> {
    this.#waiting.add(half);
    const stored = this.#store.storeHalf(half);
    const over = this.#waiting.size - this.#settings.pendingMax;
    if (over > 0) {
      this.#orphan(
        this.#waiting.takeOldest(over),
        `the waiting table is full (${this.#settings.pendingMax} halves)`,
      );
    }
    return stored;
  }

  // A redelivery carries the value already in the row; another value is a
  // second publisher's conflicting claim: the first row stands.
  #again(message: HalfMessage, side: Side, value: number, recorded: Recorded): Promise<void> {
    const kept = side === "y_true" ? recorded.yTrue : recorded.yPred;
    if (kept !== value) throw this.#conflict(message.id, side, kept, value);
    this.#instruments.duplicates.inc();
    this.#logger.debug("duplicate", { id: message.id, stream: message.stream });
    return recorded.done;
  }

  #conflict(id: string, side: Side, kept: number, refused: number): PermanentError {
    const error = new PermanentError(
      `Conflicting ${side} for id "${id}": kept "${kept}", refused "${refused}"`,
    );
    this.#instruments.conflicts.inc();
    this.#logger.warn("pair conflict", { id, error });
    return error;
  }

  async #writeRow(id: string, yTrue: number, yPred: number): Promise<void> {
    await this.#store.appendRow(id, yTrue, yPred);
    this.#instruments.rows.inc();
  }

  /** Moves halves past the horizon to the orphans file. */
  sweep(): void {
    const horizon = this.#settings.orphanAfterMs;
    const old = this.#waiting.takeSince(this.#now() - horizon);
    if (old.length > 0) this.#orphan(old, `no partner within ${horizon} ms`);
  }

  #orphan(halves: StoredHalf[], reason: string): void {
    const orphans = halves.map((half) => ({ ...half, reason }));
    this.#store.orphan(orphans).then(() => {
      this.#instruments.orphans.inc(orphans.length);
      this.#logger.warn("halves orphaned", {
        count: orphans.length,
        reason,
        y_true: orphans.filter((o) => o.side === "y_true").length,
        ids: orphans.slice(0, 10).map((o) => o.id),
      });
    }, (error) => this.#logger.error("orphans not recorded", { count: orphans.length, error }));
  }

  /** Pauses the function while writes fail (`reason`), resumes it when they succeed (`undefined`). */
  paused(reason: string | undefined): void {
    this.#instruments.paused.set(reason === undefined ? 0 : 1);
    if (reason === undefined) this.#ctx.resume();
    else this.#ctx.pause(reason);
  }

  /** Sets the gauges and logs the waiting state. */
  report(): void {
    const waiting = this.#waiting.size;
    const yTrue = this.#waiting.count("y_true");
    const yPred = this.#waiting.count("y_pred");
    const oldestWaitingMs = this.#waiting.oldestAgeMs(this.#now());
    const rowsWritten = this.#store.rowsWritten;
    const i = this.#instruments;
    i.waiting.set(waiting);
    i.waitingTruths.set(yTrue);
    i.waitingPredictions.set(yPred);
    i.oldestWaitingMs.set(oldestWaitingMs);
    i.rowsWritten.set(rowsWritten);
    i.paused.set(this.#store.paused === undefined ? 0 : 1);
    this.#logger.info("waiting", {
      pending: waiting,
      y_true: yTrue,
      y_pred: yPred,
      oldestPendingMs: oldestWaitingMs,
      rowsWritten,
      queued: this.#store.queued,
      journalLines: this.#store.journalLines,
      ...(this.#store.paused === undefined ? {} : { paused: this.#store.paused }),
    });
  }

  /** Writes what is accepted, closes the files; waiting halves stay in the journal. May be called twice. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#scheduler.clearInterval(this.#statusTimer);
    this.#scheduler.clearInterval(this.#sweepTimer);
    await this.#store.close();
    this.report();
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

function instruments(ctx: MetricsContext, model: string): Instruments {
  const labels = { model };
  return {
    rows: ctx.counter("metrics_rows", "Rows appended to the metric log", labels),
    duplicates: ctx.counter(
      "metrics_duplicates",
      "Messages whose half or row was already kept",
      labels,
    ),
    orphans: ctx.counter("metrics_orphans", "Halves moved to the orphans file", labels),
    conflicts: ctx.counter(
      "metrics_conflicts",
      "Halves refused for a value differing from the kept one",
      labels,
    ),
    waiting: ctx.gauge("metrics_pending", "Ids waiting for their partner", labels),
    waitingTruths: ctx.gauge(
      "metrics_pending_y_true",
      "Y_true halves waiting for their Y_pred",
      labels,
    ),
    waitingPredictions: ctx.gauge(
      "metrics_pending_y_pred",
      "Y_pred halves waiting for their Y_true",
      labels,
    ),
    oldestWaitingMs: ctx.gauge(
      "metrics_oldest_pending_ms",
      "Age of the oldest waiting half in ms",
      labels,
    ),
    rowsWritten: ctx.gauge("metrics_rows_written", "Rows this process appended", labels),
    paused: ctx.gauge(
      "metrics_write_paused",
      "1 while writes to LOGS_DIR fail and are retried",
      labels,
    ),
  };
}
