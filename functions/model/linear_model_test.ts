import assert from "node:assert/strict";
import { FEATURE_NAMES, type Features } from "../_streams.ts";
import { featureReference } from "./feature_reference.ts";
import { linearModel, type LinearModelFile, parseLinearModel } from "./linear_model.ts";

const ONES = Object.fromEntries(FEATURE_NAMES.map((name) => [name, 1])) as Features;

// Each feature's values 1..10, in two bins: edges [5.5], shares [0.5, 0.5].
const REFERENCE = featureReference(
  Array.from(
    { length: 10 },
    (_, i) => Object.fromEntries(FEATURE_NAMES.map((name) => [name, i + 1])) as Features,
  ),
  { bins: 2 },
);

function validFile(): LinearModelFile {
  return {
    intercept: 100,
    coefficients: Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, i + 1])) as Record<
      keyof Features,
      number
    >,
    training: { n: 442, mae: 1, rmse: 2, r2: 0.5, fittedAt: "2025-01-31T12:00:00.000Z" },
    reference: REFERENCE,
  };
}

function textWith(change: (json: Record<string, unknown>) => void): string {
  const json = JSON.parse(JSON.stringify(validFile()));
  change(json);
  return JSON.stringify(json);
}

Deno.test("linearModel() predicts intercept plus weighted features", async (t) => {
  await t.step("coefficients 1..10 on all-ones features give 155", () => {
    const model = linearModel(validFile());
    assert.equal(model.predict(ONES), 100 + 55);
    assert.equal(model.name, "linear");
  });

  await t.step("each coefficient applies to its own feature", () => {
    const model = linearModel(validFile());
    FEATURE_NAMES.forEach((name, i) => {
      const features = { ...ONES, [name]: 3 };
      assert.equal(model.predict(features), 155 + 2 * (i + 1), name);
    });
  });

  await t.step("the version defaults to fittedAt", () => {
    assert.equal(linearModel(validFile()).version, "2025-01-31T12:00:00.000Z");
    assert.equal(linearModel(validFile(), { version: "abc" }).version, "abc");
  });
});

Deno.test("parseLinearModel() reads a good file and refuses a bad one", async (t) => {
  const source = "data/model.json";

  await t.step("a good file round-trips, its reference too", () => {
    const parsed = parseLinearModel(JSON.stringify(validFile()), source);
    assert.deepEqual(parsed, validFile());
    assert.deepEqual(parsed.reference!.bmi, { edges: [5.5], shares: [0.5, 0.5] });
    assert.deepEqual(linearModel(parsed).reference, REFERENCE);
  });

  await t.step("a file written before references loads, without one", () => {
    const old = parseLinearModel(textWith((json) => delete json.reference), source);
    assert.equal(old.reference, undefined);
    assert.equal(linearModel(old).reference, undefined);
    assert.equal(linearModel(old).predict(ONES), 155);
  });

  const bins = (edges: number[], shares: number[]) =>
    textWith((json) => (json.reference as Record<string, unknown>).bmi = { edges, shares });

  const cases: [string, string, string, string][] = [
    [
      "a missing coefficient",
      textWith((json) => delete (json.coefficients as Record<string, unknown>).bmi),
      "TypeError",
      'field "coefficients.bmi" is missing',
    ],
    [
      "a coefficient that is not a number",
      textWith((json) => (json.coefficients as Record<string, unknown>).s5 = "751.27"),
      "TypeError",
      'field "coefficients.s5" must be a number',
    ],
    [
      "a coefficient for an unknown feature",
      textWith((json) => (json.coefficients as Record<string, unknown>).glucose = 1),
      "TypeError",
      'field "coefficients" has an unknown key "glucose"',
    ],
    [
      "a missing intercept",
      textWith((json) => delete json.intercept),
      "TypeError",
      'field "intercept" is missing',
    ],
    [
      "missing training figures",
      textWith((json) => delete json.training),
      "TypeError",
      'field "training" is missing',
    ],
    [
      "a bad fittedAt",
      textWith((json) => (json.training as Record<string, unknown>).fittedAt = "yesterday"),
      "TypeError",
      'field "training.fittedAt" must be an ISO date-time like 2025-01-31T12:00:00.000Z',
    ],
    [
      "a fractional n",
      textWith((json) => (json.training as Record<string, unknown>).n = 4.5),
      "TypeError",
      'field "training.n" must be a whole number',
    ],
    [
      "reference edges out of order",
      bins([2, 1], [0.5, 0.5, 0]),
      "TypeError",
      'field "reference.bmi.edges" must be strictly ascending',
    ],
    [
      "a reference without edges",
      bins([], [1]),
      "TypeError",
      'field "reference.bmi.edges" must hold at least one edge',
    ],
    [
      "one reference share too few",
      bins([1, 2], [0.5, 0.5]),
      "TypeError",
      'field "reference.bmi.shares" must hold one share more than edges',
    ],
    [
      "reference shares that do not sum to 1",
      bins([1], [0.5, 0.6]),
      "TypeError",
      'field "reference.bmi.shares" must sum to 1',
    ],
    [
      "a negative reference share",
      bins([1], [-0.5, 1.5]),
      "TypeError",
      'field "reference.bmi.shares.0" must lie in 0..1',
    ],
    [
      "a reference missing a feature",
      textWith((json) => delete (json.reference as Record<string, unknown>).s6),
      "TypeError",
      'field "reference.s6" is missing',
    ],
    [
      "a reference for an unknown feature",
      textWith((json) => (json.reference as Record<string, unknown>).glucose = REFERENCE.bmi),
      "TypeError",
      'field "reference" has an unknown key "glucose"',
    ],
    ["an array", "[]", "TypeError", "the file must be a JSON object"],
    [
      "text that is not JSON",
      "{ intercept: 1 }",
      "SyntaxError",
      "not valid JSON: Expected property name or '}' in JSON at position 2 (line 1 column 3)",
    ],
  ];
  for (const [what, text, name, detail] of cases) {
    await t.step(what, () => {
      assert.throws(() => parseLinearModel(text, source), {
        name,
        message: `Cannot load the model "data/model.json": ${detail}`,
      });
    });
  }
});
