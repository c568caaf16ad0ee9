import assert from "node:assert/strict";
import { mulberry32 } from "./_mulberry32.ts";

Deno.test("mulberry32() reproduces the reference generator", async (t) => {
  await t.step("seed 1 gives the published first values", () => {
    const random = mulberry32(1);
    assert.deepEqual([random(), random(), random()], [
      0.6270739405881613,
      0.002735721180215478,
      0.5274470399599522,
    ]);
  });

  await t.step("seed 42 and the largest seed", () => {
    const a = mulberry32(42);
    assert.deepEqual([a(), a()], [0.6011037519201636, 0.44829055899754167]);
    const b = mulberry32(4294967295);
    assert.deepEqual([b(), b()], [0.8964226141106337, 0.189478256739676]);
  });

  await t.step("two generators with one seed agree and stay in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    for (let i = 0; i < 10_000; i++) {
      const value = a();
      assert.equal(value, b());
      assert.ok(value >= 0 && value < 1, `got ${value}`);
    }
  });
});

Deno.test("mulberry32() refuses seeds outside 0..2^32-1", () => {
  for (const seed of [-1, 1.5, 2 ** 32, NaN]) {
    assert.throws(() => mulberry32(seed), {
      name: "RangeError",
      message: `Invalid seed "${seed}": expected a whole number from 0 to 4294967295`,
    });
  }
});
