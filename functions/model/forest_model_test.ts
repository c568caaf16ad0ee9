import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURE_NAMES, type Features } from "../_streams.ts";
import { loadDiabetes } from "../_load_diabetes.ts";
import { fitForestModel } from "./fit_forest_model.ts";
import { forestModel, parseForestModel } from "./forest_model.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");
const source = "data/model.forest.json";
const rows = (await loadDiabetes(dataDir)).slice(0, 100);
const fit = fitForestModel(rows, { trees: 20, fittedAt: new Date(Date.UTC(2025, 0, 31, 12)) });

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

function textWith(change: (json: Json) => void): string {
  const json = JSON.parse(JSON.stringify(fit));
  change(json);
  return JSON.stringify(json);
}

Deno.test("forestModel() predicts the mean of its trees", async (t) => {
  const parsed = parseForestModel(JSON.stringify(fit), source);
  const model = forestModel(parsed, { version: "abc" });

  await t.step("name forest, the version given, else fittedAt", () => {
    assert.equal(model.name, "forest");
    assert.equal(model.version, "abc");
    assert.equal(forestModel(parsed).version, "2025-01-31T12:00:00.000Z");
  });

  await t.step("each row's prediction is the forest's own, features in data set order", () => {
    for (const row of rows.slice(0, 10)) {
      const x = FEATURE_NAMES.map((name) => row.features[name]);
      assert.equal(model.predict(row.features), parsed.forest.predict([x])[0]);
    }
  });

  await t.step("carries its file's reference; a file written before references has none", () => {
    assert.deepEqual(model.reference, fit.reference);
    assert.equal(model.reference!.bmi.edges.length, 9);
    const old = parseForestModel(textWith((json) => delete json.reference), source);
    assert.equal(forestModel(old).reference, undefined);
    assert.equal(forestModel(old).predict(rows[0]!.features), model.predict(rows[0]!.features));
  });

  await t.step("a prediction lies within the targets the trees were fitted on", () => {
    const targets = rows.map((row) => row.target);
    const zeros = Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0])) as Features;
    const y = model.predict({ ...zeros, bmi: 1e6 });
    assert.ok(y >= Math.min(...targets) && y <= Math.max(...targets), String(y));
  });
});

Deno.test("parseForestModel() refuses a bad file", async (t) => {
  const cases: [string, string, string, string][] = [
    ["text that is not JSON", "{", "SyntaxError", "not valid JSON:"],
    ["an array", "[]", "TypeError", "the file must be a JSON object"],
    [
      "another kind of forest",
      textWith((json) => json.forest.name = "RFClassifier"),
      "TypeError",
      'field "forest.name" must be "RFRegression"',
    ],
    [
      "no trees",
      textWith((json) => json.forest.baseModel.estimators = []),
      "TypeError",
      'field "forest.baseModel.estimators" must hold at least one tree',
    ],
    [
      "no out-of-bag figures",
      textWith((json) => delete json.training.oob),
      "TypeError",
      'field "training.oob" is missing',
    ],
    [
      "a seed that is not whole",
      textWith((json) => json.training.seed = 1.5),
      "TypeError",
      'field "training.seed" must be a whole number',
    ],
    [
      "a tree without its root",
      textWith((json) => delete json.forest.baseModel.estimators[3].root),
      "TypeError",
      "its trees are damaged:",
    ],
    [
      "a tree whose leaf is not a number",
      textWith((json) => {
        const walk = (node: Json | undefined): void => {
          if (node === undefined) return;
          node.distribution = "x";
          walk(node.left);
          walk(node.right);
        };
        json.forest.baseModel.estimators.forEach((tree: { root: Json }) => walk(tree.root));
      }),
      "TypeError",
      'its trees predict "NaN" for all-zero features',
    ],
  ];
  for (const [what, text, name, detail] of cases) {
    await t.step(what, () => {
      assert.throws(() => parseForestModel(text, source), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.equal(error.name, name);
        assert.ok(
          error.message.startsWith(`Cannot load the model "${source}": ${detail}`),
          error.message,
        );
        return true;
      });
    });
  }
});
