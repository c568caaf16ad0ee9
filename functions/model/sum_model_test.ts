import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURE_NAMES, type Features } from "../_streams.ts";
import { loadDiabetes } from "../_load_diabetes.ts";
import { scorePredictions } from "./score_predictions.ts";
import { sumModel } from "./sum_model.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");

Deno.test("sumModel predicts the sum of the ten features", async (t) => {
  await t.step("features 1..10 sum to 55", () => {
    const features = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, i + 1])) as Features;
    assert.equal(sumModel.predict(features), 55);
    assert.equal(sumModel.name, "sum");
    assert.equal(sumModel.version, "1");
  });

  await t.step("on all rows: MAE 152.1335, predictions in -0.598..0.654", async () => {
    const rows = await loadDiabetes(dataDir);
    const predictions = rows.map((row) => sumModel.predict(row.features));
    const { mae } = scorePredictions(rows.map((row) => row.target), predictions);
    assert.equal(mae.toFixed(4), "152.1335");
    assert.equal(Math.min(...predictions).toFixed(3), "-0.598");
    assert.equal(Math.max(...predictions).toFixed(3), "0.654");
  });
});
