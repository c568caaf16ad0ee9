import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Env } from "../../shared/runtime/config.ts";
import type { MessageOf } from "../../shared/define_function.ts";
import { FEATURE_NAMES, type Features, FEATURES_X, PREDICTIONS_Y_PRED } from "../_streams.ts";
import { loadDiabetes } from "../_load_diabetes.ts";
import { fakeContext, type FakeContextOptions } from "../../shared/testing/fake_context.ts";
import { loadModel } from "./load_model.ts";
import model from "./mod.ts";
import { modelSettings } from "./settings.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");
const ID = "01900000-0000-7000-8000-000000000001";

function context(env: Env, options: Omit<FakeContextOptions, "env"> = {}) {
  return fakeContext(modelSettings, {
    name: "model",
    ...options,
    // No timer: a test checks the model file itself, with state.reloader.check().
    env: { DATA_DIR: dataDir, MODEL_RELOAD_MS: "0", ...env },
  });
}

function featuresMessage(data: Features, attempt = 1): MessageOf<typeof FEATURES_X> {
  return { stream: "features/X", id: ID, timestamp: 0, data, attempt };
}

Deno.test("model consumes features/X and publishes predictions/Y_pred", () => {
  assert.equal(model.kind, "consumer");
  assert.deepEqual(model.consumes, [FEATURES_X]);
  assert.deepEqual(model.publishes, [PREDICTIONS_Y_PRED]);
});

Deno.test("model.handle() publishes the chosen model's prediction under the message id", async (t) => {
  const rows = await loadDiabetes(dataDir);
  const row = rows[0]!;

  await t.step("MODEL=linear (the default)", async () => {
    const ctx = context({});
    const state = await model.setup(ctx);
    const linear = await loadModel(dataDir, "linear");
    await model.handle(featuresMessage(row.features), state, ctx);
    assert.deepEqual(ctx.published, [{
      stream: "predictions/Y_pred",
      id: ID,
      data: {
        y_pred: linear.predict(row.features),
        model: { name: "linear", version: linear.version },
      },
    }]);
    // Row 0 (target 151): the fit predicts 206.1167 for it.
    const yPred = (ctx.published[0]!.data as { y_pred: number }).y_pred;
    assert.equal(yPred.toFixed(4), "206.1167");
    assert.deepEqual(ctx.logs.find((line) => line.event === "model loaded"), {
      time: "1970-01-01T00:00:00.000Z",
      level: "info",
      function: "model",
      event: "model loaded",
      model: "linear",
      version: linear.version,
    });
  });

  await t.step("MODEL=forest", async () => {
    const ctx = context({ MODEL: "forest" });
    const state = await model.setup(ctx);
    const forest = await loadModel(dataDir, "forest");
    await model.handle(featuresMessage(row.features), state, ctx);
    assert.deepEqual(ctx.published, [{
      stream: "predictions/Y_pred",
      id: ID,
      data: {
        y_pred: forest.predict(row.features),
        model: { name: "forest", version: forest.version },
      },
    }]);
    const yPred = (ctx.published[0]!.data as { y_pred: number }).y_pred;
    // Row 0 (target 151): the committed forest predicts 188.0998 (the linear fit 206.1167).
    assert.equal(yPred.toFixed(4), "188.0998");
  });

  await t.step("MODEL=sum", async () => {
    const ctx = context({ MODEL: "sum" });
    const state = await model.setup(ctx);
    await model.handle(featuresMessage(row.features), state, ctx);
    const sum = FEATURE_NAMES.reduce((total, name) => total + row.features[name], 0);
    assert.deepEqual(ctx.published, [{
      stream: "predictions/Y_pred",
      id: ID,
      data: { y_pred: sum, model: { name: "sum", version: "1" } },
    }]);
  });
});

Deno.test("model.handle() puts each feature's PSI against the training data on /metrics", async (t) => {
  const rows = await loadDiabetes(dataDir);

  await t.step("MODEL=linear: ten labelled gauges at the 100th observation", async () => {
    const ctx = context({});
    const state = await model.setup(ctx);
    for (const row of rows.slice(0, 99)) {
      await model.handle(featuresMessage(row.features), state, ctx);
    }
    assert.equal(ctx.gauges.size, 0);
    await model.handle(featuresMessage(rows[99]!.features), state, ctx);
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 100);
    // The first 100 rows of the file against all 442 (FeatureDriftMonitor's tests give all ten).
    assert.equal(ctx.gauges.get('model_feature_psi{feature="bmi"}')!.toFixed(4), "0.0811");
    assert.equal(ctx.gauges.get('model_feature_psi{feature="s4"}')!.toFixed(4), "0.2808");
    assert.equal(ctx.gauges.size, 11);
    assert.equal(ctx.published.length, 100);
  });

  await t.step("a retry is the same observation, not counted again", async () => {
    const ctx = context({ MODEL: "forest" });
    const state = await model.setup(ctx);
    for (const row of rows.slice(0, 99)) {
      await model.handle(featuresMessage(row.features), state, ctx);
    }
    await model.handle(featuresMessage(rows[98]!.features, 2), state, ctx);
    assert.equal(ctx.gauges.size, 0);
    await model.handle(featuresMessage(rows[99]!.features), state, ctx);
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 100);
  });

  await t.step("MODEL_DRIFT_WINDOW: the latest observations only", async () => {
    const ctx = context({ MODEL_DRIFT_WINDOW: "300" });
    const state = await model.setup(ctx);
    for (const row of rows.slice(0, 400)) {
      await model.handle(featuresMessage(row.features), state, ctx);
    }
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 300);
    // Fewer are too noisy for the 0.2 threshold.
    assert.throws(() => context({ MODEL_DRIFT_WINDOW: "299" }), {
      name: "ConfigError",
      message: 'Invalid MODEL_DRIFT_WINDOW "299": expected a whole number from 300 to 1000000',
    });
  });

  await t.step("MODEL=sum has no training data: no gauge", async () => {
    const ctx = context({ MODEL: "sum" });
    const state = await model.setup(ctx);
    for (const row of rows) await model.handle(featuresMessage(row.features), state, ctx);
    assert.equal(ctx.gauges.size, 0);
  });
});

Deno.test("model.handle() waits MODEL_DELAY_MS unless asked to stop", async (t) => {
  await t.step("a stop during the delay rejects and publishes nothing", async () => {
    const controller = new AbortController();
    const ctx = context({ MODEL_DELAY_MS: "60000" }, { signal: controller.signal });
    const state = await model.setup(ctx);
    const handled = Promise.resolve(
      model.handle(featuresMessage((await loadDiabetes(dataDir))[0]!.features), state, ctx),
    );
    await Promise.resolve();
    assert.equal(ctx.published.length, 0);
    controller.abort();
    await assert.rejects(handled, { name: "AbortError" });
    assert.equal(ctx.published.length, 0);
  });

  await t.step("an already stopped function does not predict", async () => {
    const ctx = context({ MODEL_DELAY_MS: "1" }, { signal: AbortSignal.abort() });
    const state = await model.setup(ctx);
    const features = (await loadDiabetes(dataDir))[0]!.features;
    await assert.rejects(async () => await model.handle(featuresMessage(features), state, ctx), {
      name: "AbortError",
    });
    assert.equal(ctx.published.length, 0);
  });
});

Deno.test("model.handle() refuses messages it can never predict", async (t) => {
  const ctx = context({});
  const state = await model.setup(ctx);

  await t.step("features so extreme the prediction leaves the stream's range", async () => {
    const features = Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0])) as Features;
    await assert.rejects(
      async () => await model.handle(featuresMessage({ ...features, bmi: 1e6 }), state, ctx),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.equal(error.name, "PermanentError");
        assert.match(
          error.message,
          /^Cannot predict for message "01900000-0000-7000-8000-000000000001": prediction "\d+\.\d+" lies outside -10000\.\.10000$/,
        );
        return true;
      },
    );
  });
  assert.equal(ctx.published.length, 0);
});

Deno.test("model serves a new model file without a restart", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const text = await Deno.readTextFile(join(dataDir, "model.json"));
    await Deno.writeTextFile(join(dir, "model.json"), text);
    const ctx = context({ DATA_DIR: dir });
    const state = await model.setup(ctx);
    const features = (await loadDiabetes(dataDir))[0]!.features;
    const before = await loadModel(dir, "linear");

    await t.step("predictions after the swap carry the new version", async () => {
      await model.handle(featuresMessage(features), state, ctx);
      const json = JSON.parse(text);
      json.intercept += 100;
      await Deno.writeTextFile(join(dir, "next.tmp"), JSON.stringify(json));
      await Deno.rename(join(dir, "next.tmp"), join(dir, "model.json"));
      assert.equal(await state.reloader.check(), "reloaded");
      await model.handle(featuresMessage(features), state, ctx);
      const after = await loadModel(dir, "linear");
      assert.notEqual(after.version, before.version);
      assert.deepEqual(ctx.published.map((p) => p.data), [
        { y_pred: before.predict(features), model: { name: "linear", version: before.version } },
        { y_pred: after.predict(features), model: { name: "linear", version: after.version } },
      ]);
      assert.equal(after.predict(features).toFixed(9), (before.predict(features) + 100).toFixed(9));
    });

    await t.step("MODEL_RELOAD_MS starts a timer (0: none); close() clears it", async () => {
      assert.equal(state.timer, undefined);
      const timed = context({ DATA_DIR: dir, MODEL_RELOAD_MS: "60000" });
      const running = await model.setup(timed);
      assert.notEqual(running.timer, undefined);
      await model.close!(running, timed);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
