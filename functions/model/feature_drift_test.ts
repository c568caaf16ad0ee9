import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import jStat from "jstat";
import { FEATURE_NAMES, type FeatureName, type Features } from "../_streams.ts";
// The rows as the source streams them, and its seeded generator to draw from them.
import { loadDiabetes } from "../_load_diabetes.ts";
import { mulberry32 } from "../_mulberry32.ts";
import { FeatureDrift } from "./feature_drift.ts";
import { featureReference } from "./feature_reference.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");
const rows = (await loadDiabetes(dataDir)).map((row) => row.features);
const reference = featureReference(rows);
// Scaled columns have a sum of squares of 1 about a mean of 0: a standard deviation of 1/√n.
const STD = 1 / Math.sqrt(rows.length);

function rounded(psi: Record<FeatureName, number>): Record<string, string> {
  return Object.fromEntries(FEATURE_NAMES.map((name) => [name, psi[name].toFixed(4)]));
}

function shifted(features: Features, name: FeatureName, by: number): Features {
  return { ...features, [name]: features[name] + by };
}

Deno.test("FeatureDrift.psi() of the training rows themselves is exactly 0", () => {
  const drift = new FeatureDrift(reference, { window: rows.length });
  for (const row of rows) drift.observe(row);
  assert.equal(drift.observations, 442);
  // Counted into the same bins as the reference: the same shares, bit for bit.
  assert.deepEqual(drift.psi(), Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0])));
});

Deno.test("FeatureDrift.psi() of rows drawn from the training rows is small", async (t) => {
  const n = 1000;
  const random = mulberry32(2026);
  const drift = new FeatureDrift(reference, { window: n });
  for (let i = 0; i < n; i++) drift.observe(rows[Math.floor(random() * rows.length)]!);
  const psi = drift.psi();

  await t.step("1000 draws, seed 2026: these values", () => {
    assert.deepEqual(rounded(psi), {
      age: "0.0110",
      sex: "0.0007",
      bmi: "0.0016",
      bp: "0.0120",
      s1: "0.0062",
      s2: "0.0046",
      s3: "0.0082",
      s4: "0.0041",
      s5: "0.0121",
      s6: "0.0166",
    });
  });

  await t.step("each below χ²(k − 1, 0.999) / n, far below 0.1", () => {
    // To second order the PSI is Pearson's χ² statistic over n, and n times
    // that statistic is χ²-distributed with k − 1 degrees of freedom (k: the
    // bins the training rows fill): mean (k − 1) / n = 0.009 for deciles, and
    // above χ²(k − 1, 0.999) / n (0.0279 for deciles, 0.0108 for sex's two
    // bins) one time in a thousand.
    const chiSquare = (jStat as { chisquare: { inv(p: number, dof: number): number } }).chisquare;
    for (const name of FEATURE_NAMES) {
      const k = reference[name].shares.filter((share) => share > 0).length;
      const bound = chiSquare.inv(0.999, k - 1) / n;
      assert.ok(psi[name] < bound, `${name}: ${psi[name]} ≥ ${bound}`);
    }
    const mean = FEATURE_NAMES.reduce((sum, name) => sum + psi[name], 0) / FEATURE_NAMES.length;
    assert.equal(mean.toFixed(4), "0.0077");
  });
});

Deno.test("FeatureDrift.psi() of bmi shifted by one standard deviation is 1.6809", () => {
  const drift = new FeatureDrift(reference, { window: rows.length });
  for (const row of rows) drift.observe(shifted(row, "bmi", STD));
  const psi = drift.psi();
  // Far above 0.2. More than the 0.93 of a normal feature shifted so (see
  // populationStabilityIndex's tests): bmi leans right, its lowest decile
  // spans only 0.68 standard deviations, so the shift empties it, and that
  // bin alone adds (0.1086 − ε) · ln(0.1086 / ε) ≈ 0.76.
  assert.equal(psi.bmi.toFixed(4), "1.6809");
  for (const name of FEATURE_NAMES) if (name !== "bmi") assert.equal(psi[name], 0, name);
});

Deno.test("FeatureDrift keeps only the latest observations", async (t) => {
  await t.step("once the window is full, the oldest go out", () => {
    const drift = new FeatureDrift(reference, { window: rows.length });
    for (const row of rows) drift.observe(shifted(row, "s5", STD));
    assert.equal(drift.psi().s5.toFixed(4), "1.1169");
    for (const row of rows) drift.observe(row);
    assert.equal(drift.observations, 442);
    assert.equal(drift.psi().s5, 0);
  });

  await t.step("observations count up to the window", () => {
    const drift = new FeatureDrift(reference, { window: 3 });
    const counts = rows.slice(0, 5).map((row) => (drift.observe(row), drift.observations));
    assert.deepEqual(counts, [1, 2, 3, 3, 3]);
  });

  await t.step("no PSI before the first observation, no window below 1", () => {
    assert.throws(() => new FeatureDrift(reference).psi(), {
      name: "RangeError",
      message: "Cannot compute the PSI of no observations",
    });
    assert.throws(() => new FeatureDrift(reference, { window: 0 }), {
      name: "RangeError",
      message: 'Cannot watch feature drift: window "0" is not a whole number ≥ 1',
    });
  });
});
