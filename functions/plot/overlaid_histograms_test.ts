import assert from "node:assert/strict";
import { histogram } from "./histogram.ts";
import { overlaidHistograms } from "./overlaid_histograms.ts";

Deno.test("overlaidHistograms() bins every series on the edges of all values together", async (t) => {
  await t.step("one series: exactly its own histogram", () => {
    const values = Float64Array.from([0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
    assert.deepEqual(overlaidHistograms([values]), [histogram(values, { sorted: true })]);
  });

  await t.step("two series: identical edges spanning both, every value counted", () => {
    const champion = Float64Array.from([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const challenger = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20]);
    const [a, b] = overlaidHistograms([champion, challenger]);
    const all = Float64Array.from([...champion, ...challenger]).sort();
    const together = histogram(all, { sorted: true });
    assert.deepEqual(a?.edges, together.edges);
    assert.deepEqual(b?.edges, together.edges);
    assert.deepEqual(together.edges, [0, 20 / 3, 2 * (20 / 3), 20]);
    assert.deepEqual(a?.counts, [0, 4, 6]);
    assert.deepEqual(b?.counts, [7, 3, 1]);
  });

  await t.step("a series without values has zero counts on the others' edges", () => {
    const [a, b] = overlaidHistograms([Float64Array.from([1, 2, 3, 4]), new Float64Array(0)]);
    assert.deepEqual(b?.edges, a?.edges);
    assert.deepEqual(b?.counts, a?.counts.map(() => 0));
  });

  await t.step("no values at all: no bins for anyone", () => {
    const empty = overlaidHistograms([new Float64Array(0), new Float64Array(0)]);
    assert.deepEqual(empty.map((h) => [h.edges, h.counts]), [[[], []], [[], []]]);
  });
});
