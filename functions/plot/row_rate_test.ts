import assert from "node:assert/strict";
import { RowRate } from "./row_rate.ts";

Deno.test("RowRate.update() gives rows per second over its window", async (t) => {
  await t.step("null with one sample", () => {
    assert.equal(new RowRate().update(1000, 500), null);
  });
  await t.step("from the first sample while the window is not full", () => {
    const rate = new RowRate({ windowMs: 10_000 });
    rate.update(0, 100);
    assert.equal(rate.update(2000, 300), 100);
    assert.equal(rate.update(4000, 700), 150);
  });
  await t.step("from the last sample at or before the window's start", () => {
    const rate = new RowRate({ windowMs: 5000 });
    rate.update(0, 0);
    rate.update(3000, 3000);
    rate.update(6000, 3000);
    // Window starts at 4000: the sample at 3000 is the oldest kept.
    assert.equal(rate.update(9000, 9000), 1000);
    // Window starts at 7000: the sample at 6000 is the oldest kept.
    assert.equal(rate.update(12_000, 9000), 1000);
  });
  await t.step("starts again when the count goes down", () => {
    const rate = new RowRate();
    rate.update(0, 1000);
    assert.equal(rate.update(1000, 10), null);
    assert.equal(rate.update(2000, 30), 20);
  });
});

Deno.test("RowRate() refuses a window that is not positive", () => {
  assert.throws(() => new RowRate({ windowMs: 0 }), {
    name: "RangeError",
    message: 'Cannot measure a rate: windowMs "0" is not > 0',
  });
});
