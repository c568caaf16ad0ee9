import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURE_NAMES, type Features } from "../_streams.ts";
// The reference must be binned from the features exactly as the source streams them.
import { loadDiabetes } from "../_load_diabetes.ts";
import { featureReference, FeatureReferenceSchema } from "./feature_reference.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");

/** Rows whose every feature takes the values given, in order. */
function rowsOf(values: readonly number[]): Features[] {
  return values.map((value) =>
    Object.fromEntries(FEATURE_NAMES.map((name) => [name, value])) as Features
  );
}

Deno.test("featureReference() bins each feature at its quantiles", async (t) => {
  await t.step("1..10 in 5 bins: edges 2.8, 4.6, 6.4, 8.2 (numpy's interpolation)", () => {
    const reference = featureReference(rowsOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { bins: 5 });
    for (const name of FEATURE_NAMES) {
      assert.deepEqual(reference[name].edges.map((edge) => edge.toFixed(12)), [
        "2.800000000000",
        "4.600000000000",
        "6.400000000000",
        "8.200000000000",
      ]);
      assert.deepEqual(reference[name].shares, [0.2, 0.2, 0.2, 0.2, 0.2]);
    }
  });

  await t.step("tied quantiles make one edge; the shares say how full each bin is", () => {
    // Deciles of seven 0s and three 1s: 0 up to the 6th, the 7th interpolated
    // (0.3 of the way from the 7th value to the 8th), then 1, 1.
    const reference = featureReference(rowsOf([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]));
    assert.deepEqual(reference.bmi.edges.map((edge) => +edge.toFixed(12)), [0, 0.3, 1]);
    assert.deepEqual(reference.bmi.shares, [0.7, 0, 0.3, 0]);
  });

  await t.step("the 442 rows of the data set: rows per bin", async () => {
    const rows = (await loadDiabetes(dataDir)).map((row) => row.features);
    const reference = featureReference(rows);
    const counts = Object.fromEntries(FEATURE_NAMES.map((name) => {
      const rowsPerBin = reference[name].shares.map((share) => Math.round(share * 442));
      assert.deepEqual(reference[name].shares, rowsPerBin.map((count) => count / 442), name);
      return [name, rowsPerBin];
    }));
    // Deciles: about 44 rows a bin, except where values tie (sex has two, s4 is
    // mostly a few ratios), which the shares record.
    assert.deepEqual(counts, {
      age: [47, 47, 43, 51, 39, 49, 44, 36, 41, 45],
      sex: [235, 207, 0],
      bmi: [48, 41, 47, 45, 42, 42, 44, 45, 43, 45],
      bp: [49, 54, 30, 45, 55, 38, 41, 50, 36, 44],
      s1: [46, 46, 42, 43, 46, 45, 41, 44, 44, 45],
      s2: [45, 44, 45, 43, 45, 45, 43, 43, 44, 45],
      s3: [43, 42, 56, 39, 48, 49, 38, 42, 45, 40],
      s4: [164, 13, 109, 90, 41, 25],
      s5: [45, 46, 42, 46, 42, 46, 43, 43, 44, 45],
      s6: [48, 54, 31, 44, 47, 42, 47, 44, 44, 41],
    });
    assert.deepEqual(FeatureReferenceSchema.parse(reference), reference);
  });

  await t.step("fewer than 2 rows, or a bad number of bins, are refused", () => {
    assert.throws(() => featureReference(rowsOf([1])), {
      name: "RangeError",
      message: "Cannot describe the training features: expected at least 2 rows, got 1",
    });
    assert.throws(() => featureReference(rowsOf([1, 2]), { bins: 1 }), {
      name: "RangeError",
      message: 'Cannot bin the training features into "1" bins: expected 2..256',
    });
  });
});
