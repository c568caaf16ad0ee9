/**
 * The source: streams observations of the diabetes data set, each one as its
 * ten scaled features on `features/X` and its target on `features/Y_true`,
 * under one UUID v7 id.
 *
 * Rows are drawn at random with replacement; `FEATURES_SEED` makes the draw
 * reproducible and `FEATURES_LIMIT` stops the source after that many
 * observations.
 *
 * @module
 */
import { v7 } from "uuid";
import { type Counter, defineTicker } from "../../shared/define_function.ts";
import { FEATURES_X, FEATURES_Y_TRUE } from "../_streams.ts";
import { type DiabetesRow, loadDiabetes } from "../_load_diabetes.ts";
import { mulberry32 } from "../_mulberry32.ts";
import { featuresSettings } from "./settings.ts";

/** What the source keeps between ticks. */
export interface FeaturesState {
  /** The data set, in file order. */
  readonly rows: readonly DiabetesRow[];
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** Observations both of whose messages were confirmed. */
  readonly confirmed: Counter;
  /** Observations begun, whether or not their publishes succeeded. */
  started: number;
  /** Publishes of observations not yet confirmed. */
  readonly inFlight: Set<Promise<unknown>>;
}

/** The `features` source function. */
export default defineTicker({
  publishes: [FEATURES_X, FEATURES_Y_TRUE],
  settings: featuresSettings,
  sandbox: { readDirs: ["dataDir"] },
  intervalMs: (config) => config.intervalMs,
  // With FEATURES_INTERVAL_MS=0 the source publishes as fast as the broker
  // confirms. A confirm waits for the quorum queue's disk sync, so it takes
  // many observations in flight to keep the broker busy: 256 (512 messages)
  // gave 20-30% more than 64 (`deno task bench --stages=pipeline`).
  concurrency: 256,
  async setup(ctx): Promise<FeaturesState> {
    const rows = await loadDiabetes(ctx.config.dataDir);
    const seed = ctx.config.seed;
    ctx.logger.info("data set loaded", { rows: rows.length, seed: seed ?? null });
    return {
      rows,
      random: seed === undefined ? Math.random : mulberry32(seed),
      confirmed: ctx.counter("observations", "Observations published to both feature streams"),
      started: 0,
      inFlight: new Set(),
    };
  },
  async tick(state, ctx) {
    const limit = ctx.config.limit;
    // Counted before the first await so that concurrent ticks never start
    // more than `limit` observations between them.
    if (state.started >= limit) {
      // "done" once the last observation is settled, so that "ticks done"
      // in the log means every observation was confirmed or failed.
      await Promise.allSettled(state.inFlight);
      return "done";
    }
    state.started++;
    const row = Math.floor(state.random() * state.rows.length);
    const { features, target } = state.rows[row]!;
    const id = v7();
    ctx.logger.debug("observation started", { id, row });
    const published = Promise.all([
      ctx.publish(FEATURES_X, id, features),
      ctx.publish(FEATURES_Y_TRUE, id, { y_true: target }),
    ]);
    state.inFlight.add(published);
    try {
      await published;
    } finally {
      state.inFlight.delete(published);
    }
    ctx.logger.debug("observation confirmed", { id, row });
    state.confirmed.inc();
    if (state.started < limit) return "continue";
    await Promise.allSettled(state.inFlight);
    return "done";
  },
});
