import assert from "node:assert/strict";
import { scorePredictions } from "./score_predictions.ts";

Deno.test("scorePredictions() computes MAE, RMSE and R²", async (t) => {
  await t.step("a small case worked by hand", () => {
    // Residuals 1, -1, 2, 0; truth mean 5, total sum of squares 20.
    assert.deepEqual(scorePredictions([2, 4, 6, 8], [1, 5, 4, 8]), {
      mae: 1,
      rmse: Math.sqrt(6 / 4),
      r2: 1 - 6 / 20,
    });
  });

  await t.step("perfect predictions", () => {
    assert.deepEqual(scorePredictions([1, 2, 3], [1, 2, 3]), { mae: 0, rmse: 0, r2: 1 });
  });

  await t.step("predicting the mean gives R² 0", () => {
    assert.equal(scorePredictions([1, 2, 3], [2, 2, 2]).r2, 0);
  });
});

Deno.test("scorePredictions() refuses mismatched or empty input", async (t) => {
  await t.step("lengths differ", () => {
    assert.throws(() => scorePredictions([1, 2], [1]), {
      name: "RangeError",
      message: "Cannot score predictions: 1 predictions for 2 true values",
    });
  });

  await t.step("nothing to score", () => {
    assert.throws(() => scorePredictions([], []), {
      name: "RangeError",
      message: "Cannot score predictions: there are none",
    });
  });
});
