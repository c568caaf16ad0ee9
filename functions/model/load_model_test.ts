import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDiabetes } from "../_load_diabetes.ts";
import { fitLinearModel } from "./fit_linear_model.ts";
import { parseLinearModel } from "./linear_model.ts";
import { FOREST_MODEL_FILE, loadModel, MODEL_FILE, modelFile } from "./load_model.ts";
import { MODEL_KINDS } from "./settings.ts";
import { scorePredictions } from "./score_predictions.ts";
import { sumModel } from "./sum_model.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadModel() loads the committed linear model", async (t) => {
  const model = await loadModel(dataDir, "linear");
  const text = await Deno.readTextFile(join(dataDir, MODEL_FILE));
  const rows = await loadDiabetes(dataDir);

  await t.step("name linear, version the file's SHA-256 prefix", async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    assert.equal(model.name, "linear");
    assert.equal(model.version, new Uint8Array(digest).toHex().slice(0, 12));
    assert.match(model.version, /^[0-9a-f]{12}$/);
  });

  await t.step("its predictions give MAE 43.2775, RMSE 53.4761, R² 0.5177", () => {
    const scores = scorePredictions(
      rows.map((row) => row.target),
      rows.map((row) => model.predict(row.features)),
    );
    assert.deepEqual(
      [scores.mae.toFixed(4), scores.rmse.toFixed(4), scores.r2.toFixed(4)],
      ["43.2775", "53.4761", "0.5177"],
    );
  });

  await t.step("data/model.json is what deno task train writes today", () => {
    const committed = parseLinearModel(text, MODEL_FILE);
    const fresh = fitLinearModel(rows, { fittedAt: new Date(committed.training.fittedAt) });
    // Same layout; numbers to 1e-9, as another CPU may round the SVD's last bits differently.
    const numbers = /(?<=": )-?\d+\.\d+(?:e[-+]?\d+)?(?=,?$)/gm;
    const expected = JSON.stringify(fresh, null, 2) + "\n";
    assert.equal(text.replace(numbers, "#"), expected.replace(numbers, "#"));
    const found = text.match(numbers)!.map(Number);
    const wanted = expected.match(numbers)!.map(Number);
    assert.equal(found.length, 14);
    found.forEach((value, i) => assert.ok(Math.abs(value - wanted[i]!) < 1e-9, `${value}`));
  });
});

Deno.test("loadModel() loads the committed random forest", async (t) => {
  const model = await loadModel(dataDir, "forest");
  const text = await Deno.readTextFile(join(dataDir, FOREST_MODEL_FILE));
  const rows = await loadDiabetes(dataDir);

  await t.step("name forest, version the file's SHA-256 prefix", async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    assert.equal(model.name, "forest");
    assert.equal(model.version, new Uint8Array(digest).toHex().slice(0, 12));
  });

  await t.step("its predictions give MAE 35.3488 on all rows, as its file says", () => {
    const scores = scorePredictions(
      rows.map((row) => row.target),
      rows.map((row) => model.predict(row.features)),
    );
    assert.equal(scores.mae.toFixed(4), "35.3488");
  });

  await t.step("two files that differ only in fittedAt get different versions", async () => {
    await withTempDir(async (dir) => {
      const json = JSON.parse(text);
      json.training.fittedAt = "2020-01-01T00:00:00.000Z";
      await Deno.writeTextFile(join(dir, FOREST_MODEL_FILE), JSON.stringify(json));
      const other = await loadModel(dir, "forest");
      assert.match(other.version, /^[0-9a-f]{12}$/);
      assert.notEqual(other.version, model.version);
    });
  });
});

Deno.test("modelFile() names each fitted kind's file", () => {
  assert.deepEqual(
    MODEL_KINDS.map((kind) => [kind, modelFile(kind)]),
    [["linear", "model.json"], ["sum", undefined], ["forest", "model.forest.json"]],
  );
});

Deno.test("loadModel() gives the sum model without a file", async () => {
  await withTempDir(async (dir) => {
    assert.equal(await loadModel(dir, "sum"), sumModel);
  });
});

Deno.test("loadModel() fails clearly on a missing or bad model.json", async (t) => {
  await t.step("missing", async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(loadModel(dir, "linear"), {
        name: "NotFound",
        message: `Cannot load the model: file "${
          join(dir, MODEL_FILE)
        }" does not exist; run "deno task train"`,
      });
    });
  });

  await t.step("a coefficient missing", async () => {
    await withTempDir(async (dir) => {
      const json = JSON.parse(await Deno.readTextFile(join(dataDir, MODEL_FILE)));
      delete json.coefficients.s3;
      await Deno.writeTextFile(join(dir, MODEL_FILE), JSON.stringify(json));
      await assert.rejects(loadModel(dir, "linear"), {
        name: "TypeError",
        message: `Cannot load the model "${
          join(dir, MODEL_FILE)
        }": field "coefficients.s3" is missing`,
      });
    });
  });

  await t.step("an intercept that is not a number", async () => {
    await withTempDir(async (dir) => {
      const json = JSON.parse(await Deno.readTextFile(join(dataDir, MODEL_FILE)));
      json.intercept = null;
      await Deno.writeTextFile(join(dir, MODEL_FILE), JSON.stringify(json));
      await assert.rejects(loadModel(dir, "linear"), {
        name: "TypeError",
        message: `Cannot load the model "${
          join(dir, MODEL_FILE)
        }": field "intercept" must be a number`,
      });
    });
  });
});
