/**
 * One metrics process among its replicas. metrics declares single-active
 * replicas: the broker delivers to one of them at a time, the others stand
 * by. A standby must not touch `LOGS_DIR`: opening the store reads the CSV
 * back, sets foreign and torn lines aside, rebuilds and compacts the journal,
 * all on the files the active replica is writing. So the store is opened on
 * the first delivery, which only the active replica receives, and under an
 * exclusive lock on `metric_log.lock` beside the CSV, held until the process
 * ends (the kernel drops it when the process dies, SIGKILL included). The
 * delivery says whom the broker chose; the lock says the previous writer is
 * gone: a replica whose connection was lost while it lived keeps the lock, so
 * the next one waits instead of writing beside it.
 *
 * @module
 */
import { join } from "node:path";
import { backoffDelay, delay } from "../../shared/runtime/backoff.ts";
import type { HalfMessage, MetricsContext } from "./metrics_state.ts";
import { comparedModels } from "../_settings.ts";
import {
  type MetricsJoins,
  openMetricsJoins,
  type OpenMetricsJoinsOptions,
} from "./metrics_joins.ts";

/** The lock file the active replica holds, in `LOGS_DIR`. */
export const LOCK_FILE = "metric_log.lock";

/** The metrics function's state: nothing until the first delivery, then the open store. */
export class MetricsReplica {
  readonly #ctx: MetricsContext;
  readonly #options: OpenMetricsJoinsOptions;
  #opening: Promise<MetricsJoins> | undefined;
  #state: MetricsJoins | undefined;
  #lock: Deno.FsFile | undefined;
  #deactivating: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** A standby: touches no file until {@linkcode MetricsReplica.handle} is first called. */
  constructor(ctx: MetricsContext, options: OpenMetricsJoinsOptions = {}) {
    this.#ctx = ctx;
    this.#options = options;
    // A bad pair of settings stops the start, not the first delivery.
    const models = comparedModels(ctx.config);
    ctx.logger.info("standing by: the store opens on the first delivery", {
      logsDir: ctx.config.logsDir,
      models,
    });
  }

  /** Whether this replica holds the lock and has opened the store. */
  get active(): boolean {
    return this.#state !== undefined;
  }

  /** Handles a message; the first one opens the store, under the lock. */
  handle(message: HalfMessage): Promise<void> {
    if (this.#state !== undefined) return this.#state.handle(message);
    if (this.#closing !== undefined) {
      return Promise.reject(new Error("Cannot handle a message: metrics is closing"));
    }
    this.#opening ??= (this.#deactivating ?? Promise.resolve()).then(() => this.#openUntilOpen());
    return this.#opening.then((state) => state.handle(message));
  }

  /**
   * The connection was lost: another replica may be active by now. Closes the
   * store (its commit in progress finishes) and releases the lock, so the
   * next active replica reads back everything this one wrote; a later
   * delivery opens it again, under the lock.
   */
  deactivate(): Promise<void> {
    const opening = this.#opening;
    if (opening === undefined || this.#closing !== undefined) return Promise.resolve();
    this.#ctx.logger.warn("standing by: connection lost, closing the store and its lock");
    this.#state = undefined;
    this.#opening = undefined;
    const previous = this.#deactivating ?? Promise.resolve();
    this.#deactivating = previous.then(async () => {
      try {
        await (await opening.catch(() => undefined))?.close();
      } finally {
        this.#lock?.close();
        this.#lock = undefined;
      }
    });
    return this.#deactivating;
  }

  /** Closes the store, if open, then releases the lock; the same promise every call. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /**
   * The disk's failures are not the messages': a failed open (a full or
   * read-only disk) pauses the function and is tried again with backoff while
   * the deliveries wait unacked, so none uses up an attempt.
   */
  async #openUntilOpen(): Promise<MetricsJoins> {
    for (let attempt = 1;; attempt++) {
      try {
        const state = await this.#open();
        if (attempt > 1) this.#ctx.resume();
        return state;
      } catch (error) {
        if (this.#ctx.signal.aborted) throw error;
        const reason = `Cannot open the metric log in "${this.#ctx.config.logsDir}": ${
          error instanceof Error ? error.message : String(error)
        }`;
        this.#ctx.logger.error("store open failed", { reason });
        this.#ctx.pause(reason);
        await delay(backoffDelay(attempt, this.#options.retry), this.#ctx.signal).catch(() => {});
      }
    }
  }

  async #open(): Promise<MetricsJoins> {
    const { logger, config } = this.#ctx;
    const path = join(config.logsDir, LOCK_FILE);
    if (this.#lock === undefined) {
      await Deno.mkdir(config.logsDir, { recursive: true });
      const lock = await Deno.open(path, { create: true, write: true });
      logger.info("active: taking the metric log's lock", { path });
      try {
        await lock.lock(true);
      } catch (error) {
        lock.close();
        throw error;
      }
      this.#lock = lock;
    }
    const state = await openMetricsJoins(this.#ctx, this.#options);
    this.#state = state;
    return state;
  }

  async #close(): Promise<void> {
    try {
      await this.#deactivating?.catch(() => {});
      const state = await this.#opening?.catch(() => undefined);
      await state?.close();
    } finally {
      // Closing the file releases its lock.
      this.#lock?.close();
    }
  }
}
