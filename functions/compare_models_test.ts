// Beside functions/_compare_models.ts but without its "_": functions/_*.ts ship in every image.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compareModels } from "./_compare_models.ts";
import { loadDiabetes } from "./_load_diabetes.ts";
import { mulberry32 } from "./_mulberry32.ts";
import { loadModel } from "./model/load_model.ts";
import type { ModelKind } from "./model/model.ts";

const dataDir = join(fileURLToPath(new URL("../", import.meta.url)), "data");

/** Champion errors 10, 12, 10, 12, ...; the challenger's shifted by `shift`, give or take 1. */
function constructed(n: number, shift: number): [number[], number[]] {
  const champion = Array.from({ length: n }, (_, i) => 10 + 2 * (i % 2));
  const challenger = champion.map((e, i) => e + shift + (i % 4 < 2 ? 1 : -1));
  return [champion, challenger];
}

const fixed = (values: readonly number[] | undefined) => values?.map((v) => v.toFixed(4));

Deno.test("compareModels() on constructed errors whose answer is known", async (t) => {
  // 40 differences of shift ± 1: sd √(40/39), t(0.975, 39) = 2.02269, half width 0.32389.
  await t.step("clearly better: every error 5 smaller, give or take 1", () => {
    const result = compareModels(...constructed(40, -5));
    assert.deepEqual(
      { ...result, interval: fixed(result.interval) },
      {
        pairs: 40,
        meanDifference: -5,
        interval: ["-5.3239", "-4.6761"],
        verdict: "challenger better",
      },
    );
  });

  await t.step("clearly worse: every error 5 larger, give or take 1", () => {
    const result = compareModels(...constructed(40, 5));
    assert.deepEqual(fixed(result.interval), ["4.6761", "5.3239"]);
    assert.equal(result.verdict, "challenger worse");
  });

  await t.step("identical errors: difference 0, interval [0, 0], undecided", () => {
    const [champion] = constructed(40, 0);
    assert.deepEqual(compareModels(champion, [...champion]), {
      pairs: 40,
      meanDifference: 0,
      interval: [0, 0],
      verdict: "undecided",
    });
  });

  await t.step("differences of ±3 that cancel out: the interval holds 0, undecided", () => {
    const champion = Array.from({ length: 40 }, () => 10);
    const challenger = champion.map((e, i) => e + (i % 2 === 0 ? 3 : -3));
    const result = compareModels(champion, challenger);
    assert.equal(result.meanDifference, 0);
    assert.ok(result.interval![0] < 0 && result.interval![1] > 0);
    assert.equal(result.verdict, "undecided");
  });

  await t.step("too few pairs: undecided however clear, until minPairs", () => {
    const few = compareModels(...constructed(10, -5));
    assert.equal(few.verdict, "undecided");
    assert.ok(few.interval![1] < 0, "the interval alone would say better");
    assert.equal(
      compareModels(...constructed(10, -5), { minPairs: 10 }).verdict,
      "challenger better",
    );
    assert.deepEqual(compareModels([3], [1]), {
      pairs: 1,
      meanDifference: -2,
      interval: undefined,
      verdict: "undecided",
    });
    assert.deepEqual(compareModels([], []), {
      pairs: 0,
      meanDifference: 0,
      interval: undefined,
      verdict: "undecided",
    });
  });

  await t.step("a 99% interval is wider than the 95% one", () => {
    const result = compareModels(...constructed(40, -5), { confidence: 0.99 });
    // t(0.995, 39) = 2.70791: half width 0.43361.
    assert.deepEqual(fixed(result.interval), ["-5.4336", "-4.5664"]);
  });
});

Deno.test("compareModels() refuses errors it cannot pair", async (t) => {
  await t.step("lists of different lengths", () => {
    assert.throws(() => compareModels([1, 2, 3, 4], [1, 2, 3]), {
      name: "RangeError",
      message: "Cannot compare models: 3 challenger errors for 4 champion errors",
    });
  });

  await t.step("a negative or non-finite error", () => {
    assert.throws(() => compareModels([1, 2], [1, -2]), {
      name: "RangeError",
      message: 'Cannot compare models: error "-2" of pair 1 is not a finite number ≥ 0',
    });
    assert.throws(() => compareModels([NaN], [1]), {
      name: "RangeError",
      message: 'Cannot compare models: error "NaN" of pair 0 is not a finite number ≥ 0',
    });
  });
});

Deno.test("compareModels() tells linear from sum on the data set within a few hundred rows", async (t) => {
  const rows = await loadDiabetes(dataDir);
  const random = mulberry32(2026);
  const drawn = Array.from({ length: 300 }, () => rows[Math.floor(random() * rows.length)]!);
  const errors = async (kind: ModelKind, n: number) => {
    const model = await loadModel(dataDir, kind);
    return drawn.slice(0, n).map((row) => Math.abs(row.target - model.predict(row.features)));
  };

  for (const n of [30, 100, 300]) {
    await t.step(`${n} rows: sum against linear is worse, linear against sum better`, async () => {
      const [linear, sum] = [await errors("linear", n), await errors("sum", n)];
      assert.equal(compareModels(linear, sum).verdict, "challenger worse");
      assert.equal(compareModels(sum, linear).verdict, "challenger better");
    });
  }

  await t.step("300 rows: sum errs 105.8 more than linear, 95% CI 97.4..114.2", async () => {
    const [linear, sum] = [await errors("linear", 300), await errors("sum", 300)];
    const result = compareModels(linear, sum);
    assert.deepEqual(
      [result.pairs, result.meanDifference.toFixed(4), fixed(result.interval)],
      [300, "105.7786", ["97.3625", "114.1948"]],
    );
    // The mean difference of paired errors is the difference of the two MAEs.
    const mae = (errors: number[]) => errors.reduce((a, b) => a + b, 0) / errors.length;
    assert.equal((mae(sum) - mae(linear)).toFixed(4), result.meanDifference.toFixed(4));
  });
});
