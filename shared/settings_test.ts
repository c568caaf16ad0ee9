import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { oneOf, readSettings, settingVariables, text, wholeNumber } from "./settings.ts";

const settings = {
  size: wholeNumber("SHOP_SIZE", { fallback: 3, min: 1, max: 9 }),
  seed: wholeNumber("SHOP_SEED", { fallback: undefined }),
  limit: wholeNumber("SHOP_LIMIT", { fallback: Infinity }),
  color: oneOf("SHOP_COLOR", ["red", "blue"], "red"),
  dir: text("SHOP_DIR", "./shop"),
};

Deno.test("readSettings() applies defaults and reads trimmed values", async (t) => {
  await t.step("an empty environment gives every default", () => {
    const values = readSettings(settings, {});
    assert.deepEqual(values, {
      size: 3,
      seed: undefined,
      limit: Infinity,
      color: "red",
      dir: "./shop",
    });
    assert.ok(Object.isFrozen(values));
  });
  await t.step("set values are parsed; empty counts as unset", () => {
    const values = readSettings(settings, {
      SHOP_SIZE: " 9 ",
      SHOP_SEED: "0",
      SHOP_LIMIT: "",
      SHOP_COLOR: "blue",
      SHOP_DIR: "/tmp/x",
    });
    assert.deepEqual(values, { size: 9, seed: 0, limit: Infinity, color: "blue", dir: "/tmp/x" });
  });
});

Deno.test("readSettings() stops on a bad value with one line naming the variable", async (t) => {
  const cases: [Record<string, string>, string, string][] = [
    [{ SHOP_SIZE: "1.5" }, "SHOP_SIZE", 'Invalid SHOP_SIZE "1.5": expected a whole number'],
    [
      { SHOP_SIZE: "10" },
      "SHOP_SIZE",
      'Invalid SHOP_SIZE "10": expected a whole number from 1 to 9',
    ],
    [
      { SHOP_SEED: "-1" },
      "SHOP_SEED",
      `Invalid SHOP_SEED "-1": expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
    ],
    [
      { SHOP_COLOR: "green" },
      "SHOP_COLOR",
      'Invalid SHOP_COLOR "green": expected one of red, blue',
    ],
  ];
  for (const [env, variable, message] of cases) {
    await t.step(message, () => {
      assert.throws(() => readSettings(settings, env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, variable);
        assert.equal(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("settingVariables() lists the variables in declaration order", () => {
  assert.deepEqual(settingVariables(settings), [
    "SHOP_SIZE",
    "SHOP_SEED",
    "SHOP_LIMIT",
    "SHOP_COLOR",
    "SHOP_DIR",
  ]);
});
