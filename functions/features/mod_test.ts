import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validate, version } from "uuid";
import type { Env } from "../../shared/runtime/config.ts";
import type { TickResult } from "../../shared/define_function.ts";
import { FEATURES_X, FEATURES_Y_TRUE } from "../_streams.ts";
import { fakeContext, type FakeContextOptions } from "../../shared/testing/fake_context.ts";
import { loadDiabetes } from "../_load_diabetes.ts";
import features from "./mod.ts";
import { featuresSettings } from "./settings.ts";

const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), "data");

function context(env: Env, options: Omit<FakeContextOptions, "env"> = {}) {
  return fakeContext(featuresSettings, {
    name: "features",
    ...options,
    env: { DATA_DIR: dataDir, ...env },
  });
}

async function runTicks(env: Env, ticks: number) {
  const ctx = context(env);
  const state = await features.setup(ctx);
  const results: TickResult[] = [];
  for (let i = 0; i < ticks; i++) results.push(await features.tick(state, ctx));
  const confirmed = ctx.logs.filter((line) => line.event === "observation confirmed");
  return { ctx, results, confirmed, rows: confirmed.map((line) => line.row as number) };
}

Deno.test("features is a ticker on the two feature streams", () => {
  assert.equal(features.kind, "tick");
  assert.deepEqual(features.publishes, [FEATURES_X, FEATURES_Y_TRUE]);
  assert.equal(features.concurrency, 256);
  assert.equal(features.intervalMs(context({ FEATURES_INTERVAL_MS: "250" }).config), 250);
  assert.equal(features.intervalMs(context({}).config), 1000);
});

Deno.test("features.tick() publishes one observation per tick", async (t) => {
  const rows = await loadDiabetes(dataDir);

  await t.step("a seed fixes the rows drawn", async () => {
    // mulberry32(42) starts 0.6011…, 0.4482…, 0.8524…; × 442 rows.
    const first = await runTicks({ FEATURES_SEED: "42" }, 3);
    assert.deepEqual(first.rows, [265, 198, 376]);
    const second = await runTicks({ FEATURES_SEED: "42" }, 3);
    assert.deepEqual(second.rows, first.rows);
    const other = await runTicks({ FEATURES_SEED: "43" }, 3);
    assert.notDeepEqual(other.rows, first.rows);
  });

  await t.step("X and Y_true carry the drawn row under one v7 id", async () => {
    const { ctx, confirmed, results } = await runTicks({ FEATURES_SEED: "42" }, 3);
    assert.deepEqual(results, ["continue", "continue", "continue"]);
    assert.equal(ctx.published.length, 6);
    assert.equal(confirmed.length, 3);
    for (const line of confirmed) {
      const id = line.id as string;
      const row = rows[line.row as number]!;
      assert.ok(validate(id), id);
      assert.equal(version(id), 7);
      const mine = ctx.published.filter((p) => p.id === id);
      assert.deepEqual(mine.map((p) => p.stream).sort(), ["features/X", "features/Y_true"]);
      assert.deepEqual(mine.find((p) => p.stream === "features/X")!.data, row.features);
      assert.deepEqual(mine.find((p) => p.stream === "features/Y_true")!.data, {
        y_true: row.target,
      });
      assert.equal(line.level, "debug");
      assert.equal(line.function, "features");
    }
    assert.equal(ctx.counters.get("observations"), 3);
  });

  await t.step("ids are unique over 1000 observations", async () => {
    const { confirmed } = await runTicks({}, 1000);
    assert.equal(new Set(confirmed.map((line) => line.id)).size, 1000);
  });

  await t.step("unseeded, rows stay within the data set", async () => {
    const { rows: drawn } = await runTicks({}, 500);
    assert.equal(drawn.length, 500);
    for (const row of drawn) assert.ok(Number.isInteger(row) && row >= 0 && row < 442);
  });
});

Deno.test("features.tick() stops at FEATURES_LIMIT", async (t) => {
  await t.step("sequential ticks: the last observation says done", async () => {
    const { results, confirmed } = await runTicks({ FEATURES_LIMIT: "3" }, 5);
    assert.deepEqual(results, ["continue", "continue", "done", "done", "done"]);
    assert.equal(confirmed.length, 3);
  });

  await t.step("a limit of 0 publishes nothing", async () => {
    const { results, ctx } = await runTicks({ FEATURES_LIMIT: "0" }, 2);
    assert.deepEqual(results, ["done", "done"]);
    assert.equal(ctx.published.length, 0);
  });

  await t.step("64 concurrent ticks start exactly 10 observations", async () => {
    const pending: { stream: string; release: () => void }[] = [];
    const ctx = context({ FEATURES_LIMIT: "10", FEATURES_INTERVAL_MS: "0" }, {
      publish: (stream) => new Promise((resolve) => pending.push({ stream, release: resolve })),
    });
    const state = await features.setup(ctx);
    let settled = 0;
    const ticks = Array.from(
      { length: 64 },
      () => Promise.resolve(features.tick(state, ctx)).finally(() => settled++),
    );
    // Both streams of all ten observations are in flight before any confirm.
    assert.equal(pending.length, 20);
    assert.equal(pending.filter((p) => p.stream === "features/X").length, 10);
    assert.equal(ctx.published.length, 0);
    // No tick says "done" while an observation is still unconfirmed.
    const yieldToTimers = () => new Promise((resolve) => setTimeout(resolve, 0));
    await yieldToTimers();
    assert.equal(settled, 0);
    for (const p of pending.slice(0, 19)) p.release();
    await yieldToTimers();
    assert.equal(settled, 0);
    pending[19]!.release();
    const results = await Promise.all(ticks);
    assert.deepEqual(results, Array(64).fill("done"));
    assert.equal(ctx.published.length, 20);
    assert.equal(ctx.logs.filter((line) => line.event === "observation confirmed").length, 10);
    assert.equal(ctx.counters.get("observations"), 10);
  });
});

Deno.test("features.tick() does not confirm an observation whose publish failed", async () => {
  const ctx = context({}, {
    publish: (stream) =>
      stream === "features/Y_true"
        ? Promise.reject(new Error("Cannot publish: broker gone"))
        : Promise.resolve(),
  });
  const state = await features.setup(ctx);
  await assert.rejects(async () => await features.tick(state, ctx), {
    message: "Cannot publish: broker gone",
  });
  assert.equal(ctx.logs.filter((line) => line.event === "observation confirmed").length, 0);
  assert.equal(ctx.counters.get("observations"), 0);
});

Deno.test("features.setup() fails when the data set is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(Promise.resolve(features.setup(context({ DATA_DIR: dir }))), {
      name: "NotFound",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("features as two replicas (--scale features=2): two sources, same seed, distinct ids", async () => {
  // Both replicas get the same environment, FEATURES_SEED included: the same
  // rows, drawn twice, must still be two observations each with its own id.
  const [a, b] = await Promise.all([
    runTicks({ FEATURES_SEED: "42" }, 200),
    runTicks({ FEATURES_SEED: "42" }, 200),
  ]);
  assert.deepEqual(a.rows, b.rows);
  const ids = [...a.confirmed, ...b.confirmed].map((line) => line.id as string);
  assert.equal(ids.length, 400);
  assert.equal(new Set(ids).size, 400);
  assert.ok(ids.every((id) => version(id) === 7));
});
