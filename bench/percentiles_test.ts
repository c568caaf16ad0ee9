import assert from "node:assert/strict";
import { percentiles } from "./percentiles.ts";

Deno.test("percentiles() takes the nearest rank", async (t) => {
  await t.step("of 1..100", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual(percentiles(values), { count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });
  await t.step("of one value", () => {
    assert.deepEqual(percentiles([7]), { count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
  });
  await t.step("of nothing", () => {
    assert.deepEqual(percentiles([]), { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN });
  });
  await t.step("without sorting its input", () => {
    const values = [3, 1, 2];
    percentiles(values);
    assert.deepEqual(values, [3, 1, 2]);
  });
});
