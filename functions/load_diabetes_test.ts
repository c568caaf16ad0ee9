import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { FEATURE_NAMES } from "./_streams.ts";
import { DIABETES_FILE, loadDiabetes, parseDiabetes } from "./_load_diabetes.ts";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const dataDir = join(repoRoot, "data");
// The independently computed reference (see testdata/README.md).
const referencePath = fileURLToPath(new URL("testdata/diabetes_scaled.csv", import.meta.url));

const HEADER = "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,target";
const ROW = "59,2,32.1,101,157,93.2,38,4,4.8598,87,151";
const ROW2 = "48,1,21.6,87,183,103.2,70,3,3.8918,69,75";

Deno.test("loadDiabetes() matches scikit-learn's scaled data set", async (t) => {
  const rows = await loadDiabetes(dataDir);

  await t.step("every value is within 1e-12 of diabetes_scaled.csv", async () => {
    const reference: Record<string, string>[] = parse(await Deno.readTextFile(referencePath), {
      columns: true,
    });
    assert.equal(reference.length, 442);
    assert.equal(rows.length, reference.length);
    let worst = 0;
    rows.forEach((row, index) => {
      const expected = reference[index]!;
      for (const name of FEATURE_NAMES) {
        worst = Math.max(worst, Math.abs(row.features[name] - Number(expected[name])));
      }
      assert.equal(row.target, Number(expected.target), `target of row ${index}`);
    });
    assert.ok(worst < 1e-12, `largest difference ${worst}`);
  });

  await t.step("the README's reference figures hold", () => {
    const targets = rows.map((row) => row.target);
    assert.equal(rows.length, 442);
    assert.equal(Math.min(...targets), 25);
    assert.equal(Math.max(...targets), 346);
    const mean = targets.reduce((a, b) => a + b, 0) / targets.length;
    assert.equal(mean.toFixed(4), "152.1335");
    const first = FEATURE_NAMES.map((name) => rows[0]!.features[name].toFixed(6));
    assert.deepEqual(first, [
      "0.038076",
      "0.050680",
      "0.061696",
      "0.021872",
      "-0.044223",
      "-0.034821",
      "-0.043401",
      "-0.002592",
      "0.019907",
      "-0.017646",
    ]);
    assert.equal(rows[0]!.target, 151);
  });

  await t.step("each feature column has sum of squares 1", () => {
    for (const name of FEATURE_NAMES) {
      const squares = rows.reduce((sum, row) => sum + row.features[name] ** 2, 0);
      assert.ok(Math.abs(squares - 1) < 1e-12, `${name}: ${squares}`);
    }
  });
});

Deno.test("loadDiabetes() says which file is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadDiabetes(dir), {
      name: "NotFound",
      message: `Cannot load the data set: file "${join(dir, DIABETES_FILE)}" does not exist`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseDiabetes() names the line, column and value of a bad row", async (t) => {
  const source = "test.csv";

  await t.step("a value that is not a number", () => {
    const text = `${HEADER}\n${ROW}\n${ROW2.replace("21.6", "21.6x")}\n`;
    assert.throws(() => parseDiabetes(text, source), {
      name: "SyntaxError",
      message: 'Cannot parse "test.csv": line 3, column "bmi": "21.6x" is not a number',
    });
  });

  await t.step("a blank value", () => {
    const text = `${HEADER}\n${ROW}\n${ROW2.replace(",75", ",")}\n`;
    assert.throws(() => parseDiabetes(text, source), {
      name: "SyntaxError",
      message: 'Cannot parse "test.csv": line 3, column "target": "" is not a number',
    });
  });

  await t.step("a row with a missing field", () => {
    const text = `${HEADER}\n${ROW}\n${ROW2.replace(",75", "")}\n`;
    assert.throws(() => parseDiabetes(text, source), {
      name: "SyntaxError",
      message: 'Cannot parse "test.csv": Invalid Record Length: expect 11, got 10 on line 3',
    });
  });

  await t.step("a wrong header", () => {
    const text = `${HEADER.replace("bmi", "BMI")}\n${ROW}\n${ROW2}\n`;
    assert.throws(() => parseDiabetes(text, source), {
      name: "SyntaxError",
      message: `Cannot parse "test.csv": expected the header "${HEADER}", got "${
        HEADER.replace("bmi", "BMI")
      }"`,
    });
  });

  await t.step("fewer than two rows", () => {
    assert.throws(() => parseDiabetes(`${HEADER}\n${ROW}\n`, source), {
      name: "RangeError",
      message: 'Cannot load the data set "test.csv": expected at least 2 rows, got 1',
    });
  });

  await t.step("two good rows scale to ±1/√2", () => {
    const rows = parseDiabetes(`${HEADER}\n${ROW}\n${ROW2}\n`, source);
    assert.equal(rows.length, 2);
    assert.ok(Math.abs(rows[0]!.features.age - Math.SQRT1_2) < 1e-15);
    assert.ok(Math.abs(rows[1]!.features.age + Math.SQRT1_2) < 1e-15);
    assert.deepEqual(rows.map((row) => row.target), [151, 75]);
  });
});
