/**
 * Every compared model's join, side by side: the champion's (`CHAMPION`,
 * into `metric_log.csv`) and each challenger's (`CHALLENGERS`, into
 * `metric_log.<model>.csv`). A truth goes to every join, a prediction to its
 * model's; a message is done (acked) once every join it went to has it on
 * disk. So a truth stays journaled for each model until that model's
 * prediction has joined it, and each file keeps the champion's guarantees on
 * its own: one row per id, dedup after restarts, torn-line repair, orphans
 * with their reason.
 *
 * One join per model rather than one join with a row per model: each join is
 * the champion's proven code on files of its own. The price: a truth is
 * journaled once per model while it waits, and each model's files have their
 * own group commit (one fdatasync per file per commit).
 *
 * @module
 */
import { PermanentError } from "../../shared/errors.ts";
import { comparedModels } from "../_settings.ts";
import { markChampion } from "./champion_marker.ts";
import {
  type HalfMessage,
  type MetricsContext,
  type MetricsState,
  openMetricsState,
  type OpenMetricsStateOptions,
} from "./metrics_state.ts";

/** Options of {@linkcode openMetricsJoins}: those of each model's join. */
export type OpenMetricsJoinsOptions = Omit<OpenMetricsStateOptions, "model">;

/** Opens one join per compared model (see the module docs). */
export async function openMetricsJoins(
  ctx: MetricsContext,
  options: OpenMetricsJoinsOptions = {},
): Promise<MetricsJoins> {
  const models = comparedModels(ctx.config);
  await Deno.mkdir(ctx.config.logsDir, { recursive: true });
  await markChampion(ctx.config.logsDir, ctx.config.champion);
  const pauses = new PauseReasons(ctx);
  const joins = new Map<string, MetricsState>();
  try {
    for (const model of models) {
      const own = { ...ctx, ...pauses.of(model) };
      joins.set(model, await openMetricsState(own, { ...options, model }));
    }
  } catch (error) {
    await Promise.allSettled([...joins.values()].map((join) => join.close()));
    throw error;
  }
  return new MetricsJoins(joins, ctx.config.champion);
}

/** Every model's join; see {@linkcode openMetricsJoins}. */
export class MetricsJoins {
  readonly #joins: ReadonlyMap<string, MetricsState>;
  readonly #all: readonly MetricsState[];
  readonly #champion: string;
  #closing: Promise<void> | undefined;

  /** Wraps open joins, by model; use {@linkcode openMetricsJoins}. */
  constructor(joins: ReadonlyMap<string, MetricsState>, champion: string) {
    this.#joins = joins;
    this.#all = [...joins.values()];
    this.#champion = champion;
  }

  /** The models joined, champion first. */
  get models(): string[] {
    return [...this.#joins.keys()];
  }

  /** The join of `model`, if it is compared. */
  join(model: string): MetricsState | undefined {
    return this.#joins.get(model);
  }

  /**
   * Settles once every join the message goes to has it on disk: a truth goes
   * to every model's, a prediction to its own model's. A prediction of a model
   * not compared is refused (to the dead-letter queue, nothing dropped).
   */
  handle(message: HalfMessage): Promise<void> {
    if (message.stream === "predictions/Y_pred") {
      const model = message.data.model.name;
      const join = this.#joins.get(model);
      if (join !== undefined) return join.handle(message);
      return Promise.reject(
        new PermanentError(
          `Cannot join a prediction of model "${model}": it is neither CHAMPION ` +
            `("${this.#champion}") nor one of CHALLENGERS (${this.models.slice(1).join(",")})`,
        ),
      );
    }
    if (this.#all.length === 1) return this.#all[0]!.handle(message);
    // Every join sees the truth, even when one refuses it, so a conflict in
    // one model's file does not leave the others without it.
    return settleAll(this.#all.map((join) => join.handle(message)));
  }

  /** Closes every join, even when one fails; the same promise every call. */
  close(): Promise<void> {
    this.#closing ??= settleAll(this.#all.map((join) => join.close()));
    return this.#closing;
  }
}

/** Waits for every promise, then rejects with the first failure, if any. */
async function settleAll(promises: readonly Promise<void>[]): Promise<void> {
  for (const result of await Promise.allSettled(promises)) {
    if (result.status === "rejected") throw result.reason;
  }
}

/**
 * The function is paused while any model's writes fail; it resumes when none
 * does. Each join pauses and resumes for itself; this keeps their reasons.
 */
class PauseReasons {
  readonly #ctx: MetricsContext;
  readonly #reasons = new Map<string, string>();

  constructor(ctx: MetricsContext) {
    this.#ctx = ctx;
  }

  of(model: string): Pick<MetricsContext, "pause" | "resume"> {
    return {
      pause: (reason) => {
        this.#reasons.set(model, reason);
        this.#ctx.pause(reason);
      },
      resume: () => {
        this.#reasons.delete(model);
        const [still] = this.#reasons.values();
        if (still === undefined) this.#ctx.resume();
        else this.#ctx.pause(still);
      },
    };
  }
}
