import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, PermanentError } from "../../shared/errors.ts";
import { type FakeContext, fakeContext } from "../../shared/testing/fake_context.ts";
import { prediction, rejection, track, truth } from "../_testing/metric_messages.ts";
import { CSV_HEADER } from "./metric_store.ts";
import { testDisk, until } from "../_testing/metric_store_fixture.ts";
import { openAppend } from "./_synced_file.ts";
import {
  type MetricsJoins,
  openMetricsJoins,
  type OpenMetricsJoinsOptions,
} from "./metrics_joins.ts";
import { MetricsReplica } from "./metrics_replica.ts";
import { metricsSettings } from "./settings.ts";
import metrics from "./mod.ts";

interface Joins {
  readonly dir: string;
  readonly ctx: FakeContext;
  readonly joins: MetricsJoins;
  lines(name: string): Promise<string[]>;
}

async function openJoins(
  env: Record<string, string>,
  dir?: string,
  options: OpenMetricsJoinsOptions = {},
): Promise<Joins> {
  dir ??= await Deno.makeTempDir({ prefix: "metrics_joins_test_" });
  const ctx = fakeContext(metricsSettings, {
    name: "metrics",
    env: { LOGS_DIR: dir, METRICS_FLUSH_MS: "0", ...env },
    now: () => 1_000_000,
  });
  const joins = await openMetricsJoins(ctx, options);
  const lines = async (name: string) =>
    (await Deno.readTextFile(join(dir, name))).split("\n").slice(0, -1);
  return { dir, ctx, joins, lines };
}

const TWO_MODELS = { CHAMPION: "linear", CHALLENGERS: "forest" };

Deno.test("a truth joins each compared model's prediction into that model's file, once", async () => {
  let run = await openJoins(TWO_MODELS);
  try {
    assert.deepEqual(run.joins.models, ["linear", "forest"]);
    await run.joins.handle(truth("a", 151));
    await run.joins.handle(prediction("a", 140.25, 1, "linear"));
    assert.deepEqual(await run.lines("metric_log.csv"), [CSV_HEADER, "a,151,140.25,10.75"]);
    assert.deepEqual(await run.lines("metric_log.forest.csv"), [CSV_HEADER]);
    // The truth waits, journaled for the challenger, after the champion's row.
    assert.deepEqual(await run.lines("metric_halves.forest.jsonl"), [
      '["y_true","a",151,1000000]',
    ]);
    await run.joins.handle(prediction("a", 160, 1, "forest"));
    await run.joins.handle(prediction("b", 90, 1, "forest"));
    await run.joins.handle(truth("b", 100));
    assert.deepEqual(await run.lines("metric_log.forest.csv"), [
      CSV_HEADER,
      "a,151,160,9",
      "b,100,90,10",
    ]);

    // Redeliveries after a restart: nothing doubled in either file. A torn last
    // line in the challenger's file (a crash mid-write: never synced, never acked)
    // is cut off, as in the champion's.
    await run.joins.close();
    await Deno.writeTextFile(join(run.dir, "metric_log.forest.csv"), "c,100,9", { append: true });
    run = await openJoins(TWO_MODELS, run.dir);
    await run.joins.handle(truth("a", 151));
    await run.joins.handle(prediction("a", 160, 2, "forest"));
    await run.joins.handle(prediction("a", 140.25, 2, "linear"));
    await run.joins.handle(prediction("b", 91, 1, "linear"));
    assert.deepEqual(await run.lines("metric_log.csv"), [
      CSV_HEADER,
      "a,151,140.25,10.75",
      "b,100,91,9",
    ]);
    assert.equal(
      await Deno.readTextFile(join(run.dir, "metric_log.forest.csv")),
      `${CSV_HEADER}\na,151,160,9\nb,100,90,10\n`,
    );
    assert.equal(run.ctx.counters.get(`metrics_duplicates{model="linear"}`), 2);
    assert.equal(run.ctx.counters.get(`metrics_duplicates{model="forest"}`), 2);
    assert.equal(run.ctx.counters.get(`metrics_rows{model="linear"}`), 1);
    assert.equal(run.ctx.counters.get(`metrics_rows{model="forest"}`), 0);
  } finally {
    await run.joins.close();
    await Deno.remove(run.dir, { recursive: true });
  }
});

Deno.test("a truth is acked once every model's join has it on disk; one failing disk pauses all", async () => {
  // Only the challenger's files are on the disk that fills up.
  const disk = testDisk();
  const run = await openJoins(TWO_MODELS, undefined, {
    openFile: (path) => path.includes(".forest.") ? disk.open(path) : openAppend(path),
    retry: { initialMs: 10, maxMs: 20 },
  });
  try {
    disk.full = true;
    const acked = track(run.joins.handle(truth("a", 151)));
    await run.joins.handle(prediction("a", 140.25));
    assert.deepEqual(await run.lines("metric_log.csv"), [CSV_HEADER, "a,151,140.25,10.75"]);
    assert.equal(acked.state, "pending");
    assert.match(run.ctx.paused ?? "", /^Cannot write the metric log ".*metric_log\.forest\.csv"/);
    disk.full = false;
    await until("the truth acked", () => acked.state === "resolved");
    assert.equal(run.ctx.paused, undefined);
    assert.deepEqual(await run.lines("metric_halves.forest.jsonl"), [
      '["y_true","a",151,1000000]',
    ]);
  } finally {
    await run.joins.close();
    await Deno.remove(run.dir, { recursive: true });
  }
});

Deno.test("a prediction of a model not compared is refused in one line, nothing written", async () => {
  const run = await openJoins(TWO_MODELS);
  try {
    const refused = await rejection(run.joins.handle(prediction("a", 1, 1, "sum")));
    assert.ok(refused instanceof PermanentError);
    assert.equal(
      refused.message,
      'Cannot join a prediction of model "sum": it is neither CHAMPION ("linear") nor one of CHALLENGERS (forest)',
    );
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(run.dir))).map((e) => e.name).sort(),
      [
        "metric_halves.forest.jsonl",
        "metric_halves.jsonl",
        "metric_log.champion",
        "metric_log.csv",
        "metric_log.forest.csv",
        "metric_orphans.csv",
        "metric_orphans.forest.csv",
      ],
    );
    assert.deepEqual(await run.lines("metric_halves.jsonl"), []);
  } finally {
    await run.joins.close();
    await Deno.remove(run.dir, { recursive: true });
  }
});

Deno.test("a conflicting truth is refused, and every join still holds the first", async () => {
  const run = await openJoins(TWO_MODELS);
  try {
    await run.joins.handle(truth("a", 151));
    const conflict = await rejection(run.joins.handle(truth("a", 152)));
    assert.ok(conflict instanceof PermanentError);
    assert.equal(conflict.message, 'Conflicting y_true for id "a": kept "151", refused "152"');
    await run.joins.handle(prediction("a", 150, 1, "forest"));
    assert.deepEqual(await run.lines("metric_log.forest.csv"), [CSV_HEADER, "a,151,150,1"]);
  } finally {
    await run.joins.close();
    await Deno.remove(run.dir, { recursive: true });
  }
});

Deno.test("CHALLENGERS naming the champion stops the start in one line", () => {
  const ctx = fakeContext(metricsSettings, {
    name: "metrics",
    env: { CHAMPION: "forest", CHALLENGERS: "sum,forest" },
  });
  assert.throws(() => new MetricsReplica(ctx), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, 'Invalid CHALLENGERS "sum,forest": it names the champion "forest"');
    return true;
  });
});

Deno.test("metrics refuses to start on another champion's files, in one line", async () => {
  const run = await openJoins(TWO_MODELS);
  await run.joins.close();
  try {
    assert.equal(await Deno.readTextFile(join(run.dir, "metric_log.champion")), "linear\n");
    const ctx = fakeContext(metricsSettings, {
      name: "metrics",
      env: { LOGS_DIR: run.dir, CHAMPION: "forest", CHALLENGERS: "linear" },
    });
    const refused = await rejection(Promise.resolve(metrics.setup(ctx)));
    assert.ok(refused instanceof ConfigError);
    assert.equal(
      refused.message,
      `Invalid CHAMPION "forest": ${join(run.dir, "metric_log.csv")} holds the rows of "linear"; ` +
        "move the metric files aside (or set CHAMPION=linear)",
    );
    // The same check guards the first open, whoever skipped the start's.
    assert.ok(await rejection(openMetricsJoins(ctx)) instanceof ConfigError);
  } finally {
    await Deno.remove(run.dir, { recursive: true });
  }
});
