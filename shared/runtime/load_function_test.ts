import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  configureFunction,
  FunctionNotFoundError,
  importFunction,
  listFunctions,
} from "./load_function.ts";

/** A functions/ folder of its own: one ticker, one folder without mod.ts, one bad export. */
async function withFunctionsDir(use: (dir: URL) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "functions-dir-" });
  const define = pathToFileURL(join(Deno.cwd(), "shared", "define_function.ts")).href;
  const settings = pathToFileURL(join(Deno.cwd(), "shared", "settings.ts")).href;
  try {
    await Deno.mkdir(join(root, "clock"));
    await Deno.writeTextFile(
      join(root, "clock", "mod.ts"),
      `import { defineTicker } from "${define}";\n` +
        `import { wholeNumber } from "${settings}";\n` +
        `export default defineTicker({ publishes: [], ` +
        `settings: { everyMs: wholeNumber("CLOCK_EVERY_MS", { fallback: 10, min: 1 }) }, ` +
        `intervalMs: (c) => c.everyMs, setup: () => {}, tick: () => "done" });\n`,
    );
    await Deno.mkdir(join(root, "empty"));
    await Deno.mkdir(join(root, "broken"));
    await Deno.writeTextFile(join(root, "broken", "mod.ts"), "export default 42;\n");
    await Deno.mkdir(join(root, "_private"));
    await Deno.writeTextFile(join(root, "_private", "mod.ts"), "export default 1;\n");
    await use(pathToFileURL(`${root}/`));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("listFunctions() lists the folders with a mod.ts, private ones left out", async () => {
  await withFunctionsDir((dir) => {
    assert.deepEqual(listFunctions(dir), ["broken", "clock"]);
    return Promise.resolve();
  });
  assert.deepEqual(listFunctions(), ["features", "metrics", "model", "plot"]);
});

Deno.test("importFunction() finds a function by its folder and says why it cannot", async (t) => {
  await withFunctionsDir(async (dir) => {
    await t.step("a function is its folder's default export", async () => {
      const clock = await importFunction("clock", dir);
      assert.equal(clock.kind, "tick");
      const loaded = configureFunction("clock", clock, { CLOCK_EVERY_MS: "25" });
      assert.deepEqual(loaded.settings, { everyMs: 25 });
      assert.equal(loaded.name, "clock");
    });
    const cases: [string, string][] = [
      ["empty", "there is no functions/empty/mod.ts"],
      ["nothing", "there is no functions/nothing/mod.ts"],
      [
        "broken",
        "functions/broken/mod.ts exports no defineConsumer() or defineTicker() as default",
      ],
      ["../shared", "not a function name"],
      ["_private", "not a function name"],
    ];
    for (const [name, detail] of cases) {
      await t.step(`"${name}": ${detail}`, async () => {
        await assert.rejects(importFunction(name, dir), (error: unknown) => {
          assert.ok(error instanceof FunctionNotFoundError);
          assert.equal(error.code, "FUNCTION_NOT_FOUND");
          assert.equal(
            error.message,
            `Cannot start function "${name}": ${detail}; the functions are broken, clock`,
          );
          return true;
        });
      });
    }
  });
});
