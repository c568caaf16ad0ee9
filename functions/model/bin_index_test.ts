import assert from "node:assert/strict";
import { binIndex } from "./bin_index.ts";

Deno.test("binIndex() counts the edges below a value", async (t) => {
  const edges = [1, 2, 3];

  await t.step("below, on and between edges, and above the last", () => {
    const values = [0, 1, 1.5, 2, 2.5, 3, 3.5, -Infinity, Infinity];
    assert.deepEqual(values.map((value) => binIndex(edges, value)), [0, 0, 1, 1, 2, 2, 3, 0, 3]);
  });

  await t.step("agrees with a linear scan on 9 edges", () => {
    const deciles = [-0.9, -0.7, -0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7];
    for (let value = -1; value <= 1; value += 0.05) {
      assert.equal(binIndex(deciles, value), deciles.filter((edge) => edge < value).length);
    }
  });

  await t.step("no edges: one bin", () => {
    assert.equal(binIndex([], 42), 0);
  });
});
