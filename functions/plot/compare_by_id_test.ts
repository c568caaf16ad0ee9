import assert from "node:assert/strict";
import { compareModels } from "../_compare_models.ts";
import { compareById } from "./compare_by_id.ts";

function errorsById(entries: [string, number][]): Map<string, number> {
  return new Map(entries);
}

Deno.test("compareById() pairs the errors by id and leaves out ids only one model has", async (t) => {
  await t.step("pairs in any order of the files; lone ids are not pairs", () => {
    const champion = errorsById([["a", 10], ["b", 20], ["c", 30], ["only-champion", 99]]);
    const challenger = errorsById([["c", 31], ["only-challenger", 0], ["a", 12], ["b", 20]]);
    const comparison = compareById(champion, challenger, { minPairs: 2 });
    assert.deepEqual(comparison, compareModels([10, 20, 30], [12, 20, 31], { minPairs: 2 }));
    assert.equal(comparison.pairs, 3);
    assert.equal(comparison.meanDifference, 1);
  });

  await t.step("the same whichever map is the larger", () => {
    const champion = errorsById([["a", 5], ["b", 7]]);
    const challenger = errorsById([["x", 1], ["y", 1], ["b", 4], ["a", 6]]);
    const swapped = compareById(challenger, champion);
    assert.deepEqual(compareById(champion, challenger).meanDifference, -1);
    assert.deepEqual(swapped.meanDifference, 1);
    assert.equal(swapped.pairs, 2);
  });

  await t.step("no id in common: undecided on 0 pairs", () => {
    assert.deepEqual(compareById(errorsById([["a", 1]]), errorsById([["b", 1]])), {
      pairs: 0,
      meanDifference: 0,
      interval: undefined,
      verdict: "undecided",
    });
  });
});
