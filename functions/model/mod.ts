/**
 * Inference: predicts the disease progression of each observation on
 * `features/X` and publishes it on `predictions/Y_pred` under the same id,
 * with the model's name and version.
 *
 * `MODEL` picks the model ("linear" or "forest", fitted into
 * data/model.json and data/model.forest.json by `deno task train`, or "sum");
 * its file is checked every `MODEL_RELOAD_MS` and a new one is served without
 * a restart (see {@linkcode ModelReloader}). `MODEL_DELAY_MS` adds an
 * artificial delay per message to simulate a slow model.
 *
 * Input drift: each feature's population stability index, the latest
 * `MODEL_DRIFT_WINDOW` observations against the training data the model file
 * describes, is on `/metrics` (see {@linkcode FeatureDriftMonitor}).
 *
 * @module
 */
import { setTimeout as delay } from "node:timers/promises";
import { defineConsumer } from "../../shared/define_function.ts";
import { PermanentError } from "../../shared/errors.ts";
import { FEATURES_X, PREDICTIONS_Y_PRED, Y_RANGE } from "../_streams.ts";
import { FeatureDriftMonitor } from "./feature_drift_monitor.ts";
import { ModelReloader } from "./model_reloader.ts";
import { modelSettings } from "./settings.ts";

/** What the model function keeps: the model, its reload timer and the queue of inferences. */
export interface ModelState {
  /** Serves the model and swaps in a new file. */
  readonly reloader: ModelReloader;
  /** Checks the model file every `MODEL_RELOAD_MS`; absent when that is 0. */
  readonly timer: ReturnType<typeof setInterval> | undefined;
  /** Settles when the inference in progress ends; the next one waits for it. */
  inference: Promise<void>;
  /** Each feature's PSI against the serving model's training data. */
  readonly drift: FeatureDriftMonitor;
}

/** The `model` inference function. */
export default defineConsumer({
  consumes: [FEATURES_X],
  publishes: [PREDICTIONS_Y_PRED],
  settings: modelSettings,
  sandbox: { readDirs: ["dataDir"] },
  async setup(ctx): Promise<ModelState> {
    const { dataDir, kind, reloadMs, driftWindow } = ctx.config;
    const reloader = await ModelReloader.open(dataDir, kind, { logger: ctx.logger });
    const model = reloader.current;
    ctx.logger.info("model loaded", { model: model.name, version: model.version });
    // Polled, not watched: one stat a second works on every file system and
    // mount (see the README's "Comparing models").
    const timer = reloadMs === 0 ? undefined : setInterval(() => void reloader.check(), reloadMs);
    const drift = new FeatureDriftMonitor(ctx, { window: driftWindow });
    return { reloader, timer, inference: Promise.resolve(), drift };
  },
  close(state) {
    clearInterval(state.timer);
  },
  async handle(message, state, ctx) {
    // Read once: this message is scored by this model, whatever a reload does meanwhile.
    const model = state.reloader.current;
    const { delayMs } = ctx.config;
    if (delayMs > 0) {
      // Inference is CPU-bound: one at a time per process, as on one core, so
      // replicas add capacity and prefetch does not. Rejects at once when the
      // function is asked to stop, so shutdown never waits for a delay.
      const turn = state.inference.then(() => delay(delayMs, undefined, { signal: ctx.signal }));
      state.inference = turn.catch(() => {});
      await turn;
    }
    // Counted at its first delivery only: a retry is the same observation.
    if (message.attempt === 1) state.drift.observe(model, message.data);
    const yPred = model.predict(message.data);
    // Finite features can still be extreme enough to leave the stream's range;
    // retrying would give the same answer.
    if (!(yPred >= Y_RANGE.min && yPred <= Y_RANGE.max)) {
      throw new PermanentError(
        `Cannot predict for message "${message.id}": prediction "${yPred}" lies outside ${Y_RANGE.min}..${Y_RANGE.max}`,
      );
    }
    await ctx.publish(PREDICTIONS_Y_PRED, message.id, {
      y_pred: yPred,
      model: { name: model.name, version: model.version },
    });
  },
});
