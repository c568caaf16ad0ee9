import assert from "node:assert/strict";
import { seriesView, verdictView } from "./live_snapshot.ts";

Deno.test("seriesView() carries the bins and figures, NaN figures as null", () => {
  const bins = { edges: [0, 1, 2], counts: [3, 4], rule: "sturges" as const };
  assert.deepEqual(
    seriesView(bins, {
      name: "linear",
      champion: true,
      summary: { rows: 7, mae: 1.25, rmse: 1.5 },
      at: 99,
      rowsPerSecond: 3.5,
    }),
    {
      name: "linear",
      champion: true,
      rows: 7,
      mae: 1.25,
      rmse: 1.5,
      rowsPerSecond: 3.5,
      lastRowAt: 99,
      edges: [0, 1, 2],
      counts: [3, 4],
    },
  );
  const empty = { edges: [], counts: [], rule: "none" as const };
  const view = seriesView(empty, {
    name: "x",
    champion: false,
    summary: { rows: 0, mae: NaN, rmse: NaN },
    at: 1,
    rowsPerSecond: null,
  });
  assert.deepEqual([view.mae, view.rmse], [null, null]);
});

Deno.test("verdictView() carries the verdict, its figures and its line, missing figures as null", () => {
  const names = { champion: "linear", challenger: "forest" };
  assert.deepEqual(
    verdictView({
      ...names,
      pairs: 300,
      meanDifference: -2.5,
      interval: [-3, -2],
      verdict: "challenger better",
    }),
    {
      ...names,
      verdict: "challenger better",
      pairs: 300,
      meanDifference: -2.5,
      low: -3,
      high: -2,
      text:
        "forest against linear: challenger better (mean difference -2.5, 95% interval -3..-2, 300 pairs)",
    },
  );
  const none = verdictView({
    ...names,
    pairs: 0,
    meanDifference: 0,
    interval: undefined,
    verdict: "undecided",
  });
  assert.deepEqual([none.meanDifference, none.low, none.high], [null, null, null]);
});
