import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDiabetes } from "../_load_diabetes.ts";
import { fitForestModel } from "./fit_forest_model.ts";
import { forestModel, parseForestModel } from "./forest_model.ts";
import { FOREST_MODEL_FILE } from "./load_model.ts";
import { scorePredictions } from "./score_predictions.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");
const fixed = (
  scores: { mae: number; rmse: number; r2: number },
) => [scores.mae.toFixed(4), scores.rmse.toFixed(4), scores.r2.toFixed(4)];

Deno.test("fitForestModel() fits a reproducible forest and scores it", async (t) => {
  const rows = await loadDiabetes(dataDir);
  const fittedAt = new Date(Date.UTC(2025, 0, 31, 12));
  const fit = fitForestModel(rows, { fittedAt });

  await t.step("on all 442 rows (in sample): MAE 35.3488, RMSE 42.3638, R² 0.6973", () => {
    const { n, trees, seed } = fit.training;
    assert.deepEqual({ n, trees, seed }, { n: 442, trees: 50, seed: 2026 });
    assert.deepEqual(fixed(fit.training), ["35.3488", "42.3638", "0.6973"]);
  });

  await t.step(
    "out of bag (rows each tree never saw): MAE 47.8693, RMSE 57.7274, R² 0.4380",
    () => {
      assert.deepEqual(fixed(fit.training.oob), ["47.8693", "57.7274", "0.4380"]);
    },
  );

  await t.step("the stored trees give the same figures", () => {
    const model = forestModel(parseForestModel(JSON.stringify(fit), "fit"));
    const scores = scorePredictions(
      rows.map((row) => row.target),
      rows.map((row) => model.predict(row.features)),
    );
    assert.deepEqual(fixed(scores), fixed(fit.training));
  });

  await t.step("the same seed gives the same forest, another seed another", () => {
    const some = rows.slice(0, 120);
    const a = fitForestModel(some, { fittedAt, trees: 20 });
    const b = fitForestModel(some, { fittedAt, trees: 20 });
    const c = fitForestModel(some, { fittedAt, trees: 20, seed: 7 });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.notEqual(JSON.stringify(a.forest), JSON.stringify(c.forest));
  });

  await t.step("data/model.forest.json is what deno task train writes today", async () => {
    const committed = parseForestModel(
      await Deno.readTextFile(join(dataDir, FOREST_MODEL_FILE)),
      FOREST_MODEL_FILE,
    ).file;
    const fresh = fitForestModel(rows, { fittedAt: new Date(committed.training.fittedAt) });
    assert.deepEqual(JSON.parse(JSON.stringify(fresh)), committed);
  });
});

Deno.test("fitForestModel() needs at least two rows", () => {
  assert.throws(() => fitForestModel([]), {
    name: "RangeError",
    message: "Cannot fit the forest model: expected at least 2 rows, got 0",
  });
});
