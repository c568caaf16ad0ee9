import assert from "node:assert/strict";
import { type ModelVerdict, modelVerdict, verdictScore, verdictText } from "./model_verdict.ts";

const NAMES = { champion: "linear", challenger: "forest" } as const;

function verdict(fields: Omit<ModelVerdict, "champion" | "challenger">): ModelVerdict {
  return { ...NAMES, ...fields };
}

Deno.test("modelVerdict() compares on the shared ids at 95% with 30 pairs needed", () => {
  const ids = Array.from({ length: 30 }, (_, i) => `id-${i}`);
  const championErrors = new Map(ids.map((id, i) => [id, 10 + (i % 5)]));
  const better = modelVerdict({
    ...NAMES,
    championErrors,
    challengerErrors: new Map(ids.map((id, i) => [id, 7 + (i % 5)])),
  });
  assert.deepEqual(better, {
    ...NAMES,
    pairs: 30,
    meanDifference: -3,
    interval: [-3, -3],
    verdict: "challenger better",
  });
  const fewer = modelVerdict({
    ...NAMES,
    championErrors,
    challengerErrors: new Map(ids.slice(1).map((id, i) => [id, 7 + ((i + 1) % 5)])),
  });
  assert.deepEqual([fewer.pairs, fewer.verdict], [29, "undecided"]);
});

Deno.test("verdictScore() is 1 for better, -1 for worse and 0 for undecided", () => {
  assert.deepEqual(
    [
      verdictScore("challenger better"),
      verdictScore("challenger worse"),
      verdictScore("undecided"),
    ],
    [1, -1, 0],
  );
});

Deno.test("verdictText() says the verdict with its evidence in one line", async (t) => {
  await t.step("decided", () => {
    assert.equal(
      verdictText(verdict({
        pairs: 1234,
        meanDifference: 4.56249,
        interval: [2.10351, 7.02],
        verdict: "challenger worse",
      })),
      "forest against linear: challenger worse (mean difference +4.562, 95% interval 2.104..7.02, 1,234 pairs)",
    );
    assert.equal(
      verdictText(verdict({
        pairs: 100,
        meanDifference: -8,
        interval: [-8, -8],
        verdict: "challenger better",
      })),
      "forest against linear: challenger better (mean difference -8, 95% interval -8..-8, 100 pairs)",
    );
  });

  await t.step("too few pairs", () => {
    assert.equal(
      verdictText(
        verdict({ pairs: 0, meanDifference: 0, interval: undefined, verdict: "undecided" }),
      ),
      "forest against linear: undecided (no pairs yet)",
    );
    assert.equal(
      verdictText(
        verdict({ pairs: 1, meanDifference: 2, interval: undefined, verdict: "undecided" }),
      ),
      "forest against linear: undecided (mean difference +2, 1 pair)",
    );
    assert.equal(
      verdictText(
        verdict({ pairs: 12, meanDifference: 0, interval: [-1, 1], verdict: "undecided" }),
      ),
      "forest against linear: undecided (mean difference 0, 95% interval -1..1, 12 pairs of the 30 needed)",
    );
  });
});
