import assert from "node:assert/strict";
import { seriesView } from "./live_snapshot.ts";

Deno.test("seriesView() carries the bins and figures, NaN figures as null", () => {
  const bins = { edges: [0, 1, 2], counts: [3, 4], rule: "sturges" as const };
  assert.deepEqual(
    seriesView(bins, {
      name: "metric_log.csv",
      summary: { rows: 7, mae: 1.25, rmse: 1.5 },
      at: 99,
      rowsPerSecond: 3.5,
    }),
    {
      name: "metric_log.csv",
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
    summary: { rows: 0, mae: NaN, rmse: NaN },
    at: 1,
    rowsPerSecond: null,
  });
  assert.deepEqual([view.mae, view.rmse], [null, null]);
});
