import assert from "node:assert/strict";
import jStat from "jstat";
import { populationStabilityIndex, PSI_EPSILON } from "./population_stability_index.ts";

interface Normal {
  inv(p: number, mean: number, std: number): number;
  cdf(x: number, mean: number, std: number): number;
}

Deno.test("populationStabilityIndex() sums (live − reference) · ln(live / reference)", async (t) => {
  await t.step("equal shares: exactly 0", () => {
    const shares = [0.1, 0.25, 0.3, 0.35];
    assert.equal(populationStabilityIndex(shares, [...shares]), 0);
  });

  await t.step("halves against quarters: ln 3 / 4", () => {
    // (0.25 − 0.5) · ln 0.5 + (0.75 − 0.5) · ln 1.5 = 0.25 · ln 3
    assert.equal(populationStabilityIndex([0.5, 0.5], [0.25, 0.75]).toFixed(12), "0.274653072167");
  });

  await t.step("symmetric in its two arguments (to the last bits of rounding)", () => {
    const forth = populationStabilityIndex([0.2, 0.3, 0.5], [0.4, 0.4, 0.2]);
    const back = populationStabilityIndex([0.4, 0.4, 0.2], [0.2, 0.3, 0.5]);
    assert.deepEqual([forth.toFixed(12), back.toFixed(12)], ["0.442284862919", "0.442284862919"]);
  });

  await t.step(`an empty bin counts as ${PSI_EPSILON}, so the PSI stays finite`, () => {
    // (0.9 − 1) · ln 0.9 + (0.1 − 0.0001) · ln(0.1 / 0.0001)
    assert.equal(populationStabilityIndex([1, 0], [0.9, 0.1]).toFixed(12), "0.700620803936");
    assert.equal(populationStabilityIndex([0.5, 0.5, 0], [0.5, 0.5, 0]), 0);
  });

  await t.step("deciles of a normal feature shifted by one standard deviation: 0.9261", () => {
    // Unbinned, the PSI of N(1, 1) against N(0, 1) is their Jeffreys divergence, 1;
    // ten bins lose a little of it.
    const normal = (jStat as { normal: Normal }).normal;
    const edges = [
      -Infinity,
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => normal.inv(i / 10, 0, 1)),
      Infinity,
    ];
    const live = edges.slice(1).map((edge, i) =>
      normal.cdf(edge, 1, 1) - normal.cdf(edges[i]!, 1, 1)
    );
    assert.equal(populationStabilityIndex(Array(10).fill(0.1), live).toFixed(4), "0.9261");
  });

  await t.step("bins of different counts are refused", () => {
    assert.throws(() => populationStabilityIndex([0.5, 0.5], [1]), {
      name: "RangeError",
      message: "Cannot compute the PSI: 1 live bins for 2 reference bins",
    });
  });
});
