import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../../shared/logger.ts";
import { loadDiabetes } from "../_load_diabetes.ts";
import { loadModel, MODEL_FILE } from "./load_model.ts";
import type { Model, ModelKind } from "./model.ts";
import { ModelReloader } from "./model_reloader.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");
const features = (await loadDiabetes(dataDir))[0]!.features;
const committed = await Deno.readTextFile(join(dataDir, MODEL_FILE));

/** model.json with its intercept raised by `by`: another valid fit. */
function shifted(by: number): string {
  const json = JSON.parse(committed);
  json.intercept += by;
  return JSON.stringify(json, null, 2) + "\n";
}

/** Writes under a temporary name and renames over, as `deno task train` does. */
async function replace(dir: string, text: string): Promise<void> {
  await Deno.writeTextFile(join(dir, "next.tmp"), text);
  await Deno.rename(join(dir, "next.tmp"), join(dir, MODEL_FILE));
}

async function versionOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toHex().slice(0, 12);
}

async function withModelDir(
  run: (dir: string, logs: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, MODEL_FILE), committed);
    await run(dir, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function logger(logs: Record<string, unknown>[]) {
  return createLogger("model", { now: () => 0, write: (line) => logs.push(JSON.parse(line)) });
}

Deno.test("ModelReloader.check() swaps in a new model file", async (t) => {
  await withModelDir(async (dir, logs) => {
    const reloader = await ModelReloader.open(dir, "linear", { logger: logger(logs) });
    const first = reloader.current;

    await t.step("an untouched file is unchanged", async () => {
      assert.equal(await reloader.check(), "unchanged");
      assert.equal(reloader.current, first);
      assert.equal(first.version, await versionOf(committed));
    });

    await t.step("a new fit renamed over it is served, with its version", async () => {
      await replace(dir, shifted(10));
      assert.equal(await reloader.check(), "reloaded");
      const next = reloader.current;
      assert.equal(next.version, await versionOf(shifted(10)));
      assert.equal(next.predict(features).toFixed(9), (first.predict(features) + 10).toFixed(9));
      assert.deepEqual(logs, [{
        time: "1970-01-01T00:00:00.000Z",
        level: "info",
        function: "model",
        event: "model reloaded",
        model: "linear",
        version: next.version,
        previous: first.version,
      }]);
    });

    await t.step("the same content renamed over again changes nothing", async () => {
      const serving = reloader.current;
      await replace(dir, shifted(10));
      assert.equal(await reloader.check(), "unchanged");
      assert.equal(reloader.current, serving);
      assert.equal(logs.length, 1);
    });
  });
});

Deno.test("ModelReloader.check() refuses a bad file once and keeps serving", async (t) => {
  await withModelDir(async (dir, logs) => {
    const reloader = await ModelReloader.open(dir, "linear", { logger: logger(logs) });
    const first = reloader.current;
    const path = join(dir, MODEL_FILE);

    await t.step("a file that is not JSON: one log line, the old model serves", async () => {
      await replace(dir, "{ half a fi");
      assert.equal(await reloader.check(), "refused");
      assert.equal(reloader.current, first);
      assert.deepEqual(logs, [{
        time: "1970-01-01T00:00:00.000Z",
        level: "warn",
        function: "model",
        event: "model refused",
        model: "linear",
        file: path,
        reason: `Cannot load the model "${path}": not valid JSON: ` +
          "Expected property name or '}' in JSON at position 2 (line 1 column 3)",
        version: first.version,
      }]);
    });

    await t.step("checked again, the same bad file logs nothing more", async () => {
      assert.equal(await reloader.check(), "unchanged");
      assert.equal(logs.length, 1);
    });

    await t.step(
      "a file of the wrong shape, then a missing file: refused, one line each",
      async () => {
        const json = JSON.parse(committed);
        delete json.coefficients.bmi;
        await replace(dir, JSON.stringify(json));
        assert.equal(await reloader.check(), "refused");
        await Deno.remove(path);
        assert.equal(await reloader.check(), "refused");
        assert.equal(await reloader.check(), "unchanged");
        assert.deepEqual(logs.slice(1).map((log) => log.reason), [
          `Cannot load the model "${path}": field "coefficients.bmi" is missing`,
          `Cannot load the model: file "${path}" does not exist; run "deno task train"`,
        ]);
        assert.equal(reloader.current, first);
      },
    );

    await t.step("a good file after the bad ones is served", async () => {
      await replace(dir, shifted(1));
      assert.equal(await reloader.check(), "reloaded");
      assert.equal(reloader.current.version, await versionOf(shifted(1)));
    });
  });
});

Deno.test("ModelReloader serves the old model whole while the new one loads", async () => {
  await withModelDir(async (dir, logs) => {
    let loads = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => release = resolve);
    let entered: () => void = () => {};
    const loading = new Promise<void>((resolve) => entered = resolve);
    const load = async (from: string, kind: ModelKind): Promise<Model> => {
      if (++loads > 1) {
        entered();
        await held;
      }
      return await loadModel(from, kind);
    };
    const reloader = await ModelReloader.open(dir, "linear", { logger: logger(logs), load });
    const first = reloader.current;
    await replace(dir, shifted(5));
    const checking = reloader.check();
    // A second check while the first loads shares it: one load, one swap.
    assert.equal(reloader.check(), checking);
    await loading;
    assert.equal(loads, 2);
    assert.equal(reloader.current, first);
    assert.equal(reloader.current.predict(features), first.predict(features));
    release();
    assert.equal(await checking, "reloaded");
    assert.equal(
      reloader.current.predict(features).toFixed(9),
      (first.predict(features) + 5).toFixed(9),
    );
    assert.equal(loads, 2);
  });
});

Deno.test("ModelReloader of MODEL=sum has no file to check", async () => {
  const logs: Record<string, unknown>[] = [];
  const reloader = await ModelReloader.open("/nonexistent", "sum", { logger: logger(logs) });
  assert.equal(await reloader.check(), "unchanged");
  assert.equal(reloader.current.name, "sum");
  assert.deepEqual(logs, []);
});
