import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURE_NAMES, type Features } from "../_streams.ts";
import { fakeContext, loggedEvents } from "../../shared/testing/fake_context.ts";
// The rows as the source streams them, and its seeded generator to draw from them.
import { loadDiabetes } from "../_load_diabetes.ts";
import { mulberry32 } from "../_mulberry32.ts";
import { FeatureDriftMonitor } from "./feature_drift_monitor.ts";
import { featureReference } from "./feature_reference.ts";
import type { Model } from "./model.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");
const rows = (await loadDiabetes(dataDir)).map((row) => row.features);
const STD = 1 / Math.sqrt(rows.length);

function modelWith(reference: Model["reference"], version = "v1"): Model {
  return { name: "linear", version, predict: () => 0, reference };
}

/** Draws rows with replacement, reproducibly. */
function drawer(seed: number): () => Features {
  const random = mulberry32(seed);
  return () => rows[Math.floor(random() * rows.length)]!;
}

function psiGauges(gauges: Map<string, number>): Record<string, string> {
  return Object.fromEntries(
    FEATURE_NAMES.map((name) => [name, gauges.get(`model_feature_psi{feature="${name}"}`)])
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, (value as number).toFixed(4)]),
  );
}

Deno.test("FeatureDriftMonitor sets each feature's PSI gauge every 100 observations", async (t) => {
  const ctx = fakeContext({}, { name: "model" });
  const monitor = new FeatureDriftMonitor(ctx);
  const model = modelWith(featureReference(rows));

  await t.step("none before the 100th observation", () => {
    for (const row of rows.slice(0, 99)) monitor.observe(model, row);
    assert.equal(ctx.gauges.size, 0);
  });

  await t.step("at the 100th: ten labelled gauges and the count", () => {
    monitor.observe(model, rows[99]!);
    assert.deepEqual(
      [...ctx.gauges.keys()].sort(),
      [
        "model_feature_psi_observations",
        ...FEATURE_NAMES.map((name) => `model_feature_psi{feature="${name}"}`),
      ].sort(),
    );
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 100);
    // The first 100 rows of the file against all 442: noise of a small sample
    // (s4's 0.2808 is above 0.2, but 100 observations are too few to log).
    assert.deepEqual(psiGauges(ctx.gauges), {
      age: "0.1156",
      sex: "0.0095",
      bmi: "0.0811",
      bp: "0.0634",
      s1: "0.1540",
      s2: "0.1016",
      s3: "0.0844",
      s4: "0.2808",
      s5: "0.1201",
      s6: "0.1234",
    });
    assert.deepEqual(loggedEvents(ctx), []);
  });

  await t.step("then at each 100th: at 400, and at 500", () => {
    for (const row of rows.slice(100)) monitor.observe(model, row);
    // Updated at 400; 42 more wait for the 500th.
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 400);
    for (let i = 0; i < 58; i++) monitor.observe(model, rows[i]!);
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 500);
  });
});

Deno.test("FeatureDriftMonitor logs a significant shift once, and its end once", () => {
  const ctx = fakeContext({}, { name: "model" });
  const monitor = new FeatureDriftMonitor(ctx, { window: 200 });
  const model = modelWith(featureReference(rows));
  const draw = drawer(7);
  const steps: string[] = [];
  const run = (count: number, shift: number) => {
    for (let i = 0; i < count; i++) {
      const row = draw();
      monitor.observe(model, { ...row, bmi: row.bmi + shift });
    }
    steps.push(`${psiGauges(ctx.gauges).bmi} ${loggedEvents(ctx).join(", ")}`);
  };
  run(100, STD); // bmi + 1 standard deviation: over 0.2, but on 100 observations only
  run(100, STD); // the window (200) full: logged
  run(100, STD); // still drifting: not logged again
  run(100, 0); // half the window back to normal: above 0.1, still drifting
  run(100, 0); // all of it: below 0.1, the end logged
  assert.deepEqual(steps, [
    "2.2890 ",
    "2.0773 warn feature drift",
    "2.0269 warn feature drift",
    "0.3140 warn feature drift",
    "0.0546 warn feature drift, info feature drift ended",
  ]);
  assert.deepEqual(ctx.logs, [
    {
      time: "1970-01-01T00:00:00.000Z",
      level: "warn",
      function: "model",
      event: "feature drift",
      feature: "bmi",
      psi: ctx.logs[0]!.psi,
      observations: 200,
      version: "v1",
      threshold: 0.2,
    },
    {
      time: "1970-01-01T00:00:00.000Z",
      level: "info",
      function: "model",
      event: "feature drift ended",
      feature: "bmi",
      psi: ctx.logs[1]!.psi,
      observations: 200,
      version: "v1",
    },
  ]);
  assert.equal((ctx.logs[0]!.psi as number).toFixed(4), "2.0773");
});

Deno.test("FeatureDriftMonitor follows the serving model's reference", async (t) => {
  const ctx = fakeContext({}, { name: "model" });
  const monitor = new FeatureDriftMonitor(ctx);
  const draw = drawer(1);
  const observe = (model: Model, count: number) => {
    for (let i = 0; i < count; i++) monitor.observe(model, draw());
  };

  await t.step("a model without a reference (sum, an old file) sets no gauge", () => {
    observe(modelWith(undefined), 300);
    assert.equal(ctx.gauges.size, 0);
  });

  await t.step("a reloaded model's reference starts a new window", () => {
    observe(modelWith(featureReference(rows)), 300);
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 300);
    const refit = modelWith(featureReference(rows), "v2");
    observe(refit, 1);
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 0);
    observe(refit, 99);
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 100);
  });

  await t.step("a reload to a model without one leaves the count at 0", () => {
    observe(modelWith(undefined), 200);
    assert.equal(ctx.gauges.get("model_feature_psi_observations"), 0);
  });
});

Deno.test("FeatureDriftMonitor refuses options that are not whole numbers ≥ 1", () => {
  const ctx = fakeContext({}, { name: "model" });
  for (
    const [name, options] of [["every", { every: 0 }], ["minObservations", {
      minObservations: 1.5,
    }]] as const
  ) {
    assert.throws(() => new FeatureDriftMonitor(ctx, options), {
      name: "RangeError",
      message: `Cannot watch feature drift: ${name} "${
        Object.values(options)[0]
      }" is not a whole number ≥ 1`,
    });
  }
});
