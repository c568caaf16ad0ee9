import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURE_NAMES } from "../_streams.ts";
// The fit needs the data set exactly as the source streams it.
import { loadDiabetes } from "../_load_diabetes.ts";
import { fitLinearModel } from "./fit_linear_model.ts";
import { linearModel } from "./linear_model.ts";
import { scorePredictions } from "./score_predictions.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");

Deno.test("fitLinearModel() reproduces the reference OLS fit", async (t) => {
  const rows = await loadDiabetes(dataDir);
  const fit = fitLinearModel(rows, { fittedAt: new Date(Date.UTC(2025, 0, 31, 12)) });

  await t.step("MAE, RMSE and R² on all 442 rows match the README", () => {
    const { n, mae, rmse, r2, fittedAt } = fit.training;
    assert.deepEqual(
      { n, mae: mae.toFixed(4), rmse: rmse.toFixed(4), r2: r2.toFixed(4), fittedAt },
      {
        n: 442,
        mae: "43.2775",
        rmse: "53.4761",
        r2: "0.5177",
        fittedAt: "2025-01-31T12:00:00.000Z",
      },
    );
  });

  await t.step("the stored coefficients give the same figures", () => {
    const model = linearModel(fit);
    const scores = scorePredictions(
      rows.map((row) => row.target),
      rows.map((row) => model.predict(row.features)),
    );
    assert.ok(Math.abs(scores.mae - fit.training.mae) < 1e-9);
    assert.ok(Math.abs(scores.rmse - fit.training.rmse) < 1e-9);
    assert.ok(Math.abs(scores.r2 - fit.training.r2) < 1e-12);
  });

  await t.step("the intercept is the target mean, as with centred features", () => {
    assert.equal(fit.intercept.toFixed(4), "152.1335");
  });

  await t.step("keys come in a stable order", () => {
    assert.deepEqual(Object.keys(fit), ["intercept", "coefficients", "training", "reference"]);
    assert.deepEqual(Object.keys(fit.coefficients), [...FEATURE_NAMES]);
    assert.deepEqual(Object.keys(fit.training), ["n", "mae", "rmse", "r2", "fittedAt"]);
  });
});

Deno.test("fitLinearModel() needs more rows than features", () => {
  const row = { features: Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0])), target: 1 };
  assert.throws(() => fitLinearModel(Array(10).fill(row)), {
    name: "RangeError",
    message: "Cannot fit the linear model: expected more than 10 rows, got 10",
  });
});
