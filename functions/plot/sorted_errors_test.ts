import assert from "node:assert/strict";
import { SortedErrors } from "./sorted_errors.ts";

Deno.test("SortedErrors keeps every error ascending across batches", async (t) => {
  await t.step("batches merge into one ascending array", () => {
    const errors = new SortedErrors();
    errors.add(new Float64Array([5, 1, 3]));
    errors.add(new Float64Array([4, 0, 6, 2]));
    errors.add(new Float64Array([]));
    assert.deepEqual([...errors.values()], [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(errors.length, 7);
  });

  await t.step("grows past its initial capacity without losing values", () => {
    const errors = new SortedErrors();
    for (let batch = 0; batch < 5; batch++) {
      errors.add(Float64Array.from({ length: 1000 }, (_, i) => (i * 7919 + batch) % 5000));
    }
    const values = errors.values();
    assert.equal(values.length, 5000);
    assert.ok(values.every((value, i) => i === 0 || values[i - 1]! <= value));
  });

  await t.step("MAE is the mean error, RMSE the root of the mean square", () => {
    const errors = new SortedErrors();
    errors.add(new Float64Array([3, 4]));
    errors.add(new Float64Array([0, 5]));
    assert.equal(errors.mae, 3);
    assert.equal(errors.rmse, Math.sqrt(50 / 4));
  });

  await t.step("clear() forgets everything; empty MAE and RMSE are NaN", () => {
    const errors = new SortedErrors();
    errors.add(new Float64Array([1, 2]));
    errors.clear();
    assert.equal(errors.length, 0);
    assert.deepEqual([...errors.values()], []);
    assert.ok(Number.isNaN(errors.mae));
    assert.ok(Number.isNaN(errors.rmse));
    errors.add(new Float64Array([2]));
    assert.equal(errors.mae, 2);
  });
});
