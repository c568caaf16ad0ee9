import assert from "node:assert/strict";
import { errorDistributions, type ModelErrorsView } from "./error_distributions.ts";

function model(name: string, champion: boolean, errors: [string, number][]): ModelErrorsView {
  const values = Float64Array.from(errors.map(([, error]) => error)).sort();
  const mae = values.reduce((sum, e) => sum + e, 0) / values.length;
  const rmse = Math.sqrt(values.reduce((sum, e) => sum + e * e, 0) / values.length);
  return {
    model: name,
    champion,
    summary: { rows: values.length, mae, rmse },
    values: () => values,
    errorsById: new Map(errors),
  };
}

Deno.test("errorDistributions() bins every model on shared edges and judges each challenger", () => {
  const linear = model("linear", true, [["a", 1], ["b", 2], ["c", 3]]);
  const forest = model("forest", false, [["b", 4], ["c", 5], ["z", 9]]);
  const sum = model("sum", false, []);
  const { models, verdicts } = errorDistributions([linear, forest, sum], { maxBins: 2 });
  assert.deepEqual(
    models.map((m) => [m.model, m.champion, m.histogram.edges, m.histogram.counts]),
    [
      ["linear", true, [1, 5, 9], [3, 0]],
      ["forest", false, [1, 5, 9], [1, 2]],
      ["sum", false, [1, 5, 9], [0, 0]],
    ],
  );
  assert.deepEqual(models.map((m) => m.summary.rows), [3, 3, 0]);
  assert.deepEqual(verdicts, [
    {
      champion: "linear",
      challenger: "forest",
      pairs: 2,
      meanDifference: 2,
      interval: [2, 2],
      verdict: "undecided",
    },
    {
      champion: "linear",
      challenger: "sum",
      pairs: 0,
      meanDifference: 0,
      interval: undefined,
      verdict: "undecided",
    },
  ]);
});
