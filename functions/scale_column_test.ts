import assert from "node:assert/strict";
import { scaleColumn } from "./_scale_column.ts";

function sumOfSquares(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value * value, 0);
}

Deno.test("scaleColumn() centres and scales to a sum of squares of 1", async (t) => {
  await t.step("1, 2, 3 become -1/√2, 0, 1/√2", () => {
    const scaled = scaleColumn([1, 2, 3]);
    assert.equal(scaled.length, 3);
    assert.ok(Math.abs(scaled[0]! + Math.SQRT1_2) < 1e-15, `got ${scaled[0]}`);
    assert.equal(scaled[1], 0);
    assert.ok(Math.abs(scaled[2]! - Math.SQRT1_2) < 1e-15, `got ${scaled[2]}`);
  });

  await t.step("any column ends with mean 0 and sum of squares 1", () => {
    const scaled = scaleColumn([59, 48, 72, 24, 50, 23, 36, 66, 60, 29]);
    assert.ok(Math.abs(scaled.reduce((a, b) => a + b, 0)) < 1e-15);
    assert.ok(Math.abs(sumOfSquares(scaled) - 1) < 1e-15);
  });

  await t.step("the input is left unchanged", () => {
    const values = [4, 8];
    scaleColumn(values);
    assert.deepEqual(values, [4, 8]);
  });
});

Deno.test("scaleColumn() refuses columns it cannot scale", async (t) => {
  await t.step("fewer than two values", () => {
    assert.throws(() => scaleColumn([5]), {
      name: "RangeError",
      message: "Cannot scale a column of 1 value(s): expected at least 2",
    });
  });

  await t.step("a constant column", () => {
    assert.throws(() => scaleColumn([7, 7, 7]), {
      name: "RangeError",
      message: 'Cannot scale a constant column: every value is "7"',
    });
  });
});
