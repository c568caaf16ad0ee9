import assert from "node:assert/strict";
import { histogram, quantile } from "./histogram.ts";

Deno.test("histogram() bins with the Freedman–Diaconis rule", async (t) => {
  await t.step("0..9 shuffled: IQR 4.5, width 4.18, so 3 bins of 3", () => {
    const result = histogram([7, 2, 9, 0, 5, 3, 8, 1, 6, 4]);
    assert.deepEqual(result, {
      edges: [0, 3, 6, 9],
      counts: [3, 3, 4],
      rule: "freedman-diaconis",
    });
  });

  await t.step("a value on an inner edge counts in the bin above it, the max in the last", () => {
    // Ascending 0,1,2,3,3,4,5,6,9,9: IQR 5.75 - 2.25 = 3.5, width 3.25, 3 bins of 3.
    assert.deepEqual(histogram([9, 3, 0, 6, 3, 1, 9, 2, 4, 5]), {
      edges: [0, 3, 6, 9],
      counts: [3, 4, 3],
      rule: "freedman-diaconis",
    });
  });

  await t.step("maxBins caps the count and widens the bins", () => {
    assert.deepEqual(histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { maxBins: 2 }), {
      edges: [0, 4.5, 9],
      counts: [5, 5],
      rule: "freedman-diaconis",
    });
  });

  await t.step("an outlier that asks for 285 715 bins gets the default cap of 100", () => {
    const result = histogram([0, 1, 2, 3, 4, 5, 6, 1_000_000]);
    assert.equal(result.counts.length, 100);
    assert.equal(result.edges.length, 101);
    assert.equal(result.edges[1], 10_000);
    assert.equal(result.edges[100], 1_000_000);
    assert.deepEqual(result.counts, [7, ...new Array(98).fill(0), 1]);
  });

  await t.step("sorted: true uses the values as given", () => {
    const sorted = new Float64Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(histogram(sorted, { sorted: true }).counts, [3, 3, 4]);
  });
});

Deno.test("histogram() falls back to Sturges when the IQR is 0", async (t) => {
  await t.step("7 zeros and one 8: ceil(log2 8) + 1 = 4 bins", () => {
    assert.deepEqual(histogram([0, 0, 0, 8, 0, 0, 0, 0]), {
      edges: [0, 2, 4, 6, 8],
      counts: [7, 0, 0, 1],
      rule: "sturges",
    });
  });

  await t.step("equal values make one bin", () => {
    assert.deepEqual(histogram([5, 5, 5]), { edges: [5, 5], counts: [3], rule: "sturges" });
  });

  await t.step("one value makes one bin", () => {
    assert.deepEqual(histogram([2.5]), { edges: [2.5, 2.5], counts: [1], rule: "sturges" });
  });
});

Deno.test("histogram() of no values has no bins", () => {
  assert.deepEqual(histogram([]), { edges: [], counts: [], rule: "none" });
});

Deno.test("histogram() rejects a maxBins below 1 or not whole", () => {
  assert.throws(() => histogram([1], { maxBins: 0 }), {
    name: "RangeError",
    message: 'Cannot bin values: maxBins "0" is not a whole number >= 1',
  });
  assert.throws(() => histogram([1], { maxBins: 2.5 }), RangeError);
});

Deno.test("quantile() interpolates linearly between order statistics", async (t) => {
  await t.step("quartiles of 1..4", () => {
    assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4], 0.75), 3.25);
  });

  await t.step("p 0 and 1 are the min and the max", () => {
    assert.equal(quantile([1, 2, 3, 4], 0), 1);
    assert.equal(quantile([1, 2, 3, 4], 1), 4);
  });

  await t.step("no values or p out of range throw RangeError", () => {
    assert.throws(() => quantile([], 0.5), RangeError);
    assert.throws(() => quantile([1], 1.5), {
      name: "RangeError",
      message: 'Cannot take a quantile: p "1.5" is not in 0..1',
    });
  });
});
