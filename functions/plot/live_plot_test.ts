import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeContext } from "../../shared/testing/fake_context.ts";
import { stubRenderer } from "./_testing/stub_renderer.ts";
import { METRIC_LOG_FILE } from "../_metric_log.ts";
import { createLivePlot } from "./live_plot.ts";
import { METRIC_LOG_HEADER } from "./metric_log_reader.ts";
import { plotSettings } from "./settings.ts";

Deno.test("createLivePlot() publishes each new histogram with its figures, rate and time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "live_plot_" });
  try {
    const ctx = fakeContext(plotSettings, { name: "plot", env: { LOGS_DIR: dir } });
    const renderer = stubRenderer();
    const state = await createLivePlot(ctx, { renderer });
    const log = join(dir, METRIC_LOG_FILE);
    // A getter, so the assertion below does not narrow the type for the rest of the test.
    const snapshot = () => state.feed.snapshot;
    assert.equal(await state.plot.refresh(), false);
    assert.equal(snapshot(), undefined);

    ctx.time = 10_000;
    await Deno.writeTextFile(log, `${METRIC_LOG_HEADER}\na,1,4,3\nb,1,2,1\n`);
    assert.equal(await state.plot.refresh(), true);
    assert.deepEqual(snapshot(), {
      version: 1,
      series: [{
        name: "linear",
        champion: true,
        rows: 2,
        mae: 2,
        rmse: Math.sqrt(5),
        rowsPerSecond: null,
        lastRowAt: 10_000,
        edges: [1, 2, 3],
        counts: [1, 1],
      }],
      verdicts: [],
    });

    ctx.time = 12_000;
    await Deno.writeTextFile(log, "c,1,3,2\nd,1,3,2\ne,1,3,2\nf,1,3,2\n", { append: true });
    await state.plot.refresh();
    const series = snapshot()?.series[0];
    assert.equal(snapshot()?.version, 2);
    assert.deepEqual([series?.rows, series?.rowsPerSecond, series?.lastRowAt], [6, 2, 12_000]);
    assert.equal(renderer.calls, 2);

    ctx.time = 13_000;
    assert.equal(await state.plot.refresh(), false);
    assert.equal(snapshot()?.version, 2, "no new rows, no new snapshot");
    state.feed.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createLivePlot() publishes one series per model on the same edges, and the verdict", async () => {
  const dir = await Deno.makeTempDir({ prefix: "live_plot_" });
  try {
    const ctx = fakeContext(plotSettings, {
      name: "plot",
      env: { LOGS_DIR: dir, CHAMPION: "linear", CHALLENGERS: "forest" },
    });
    const state = await createLivePlot(ctx, { renderer: stubRenderer() });
    const snapshot = () => state.feed.snapshot;
    ctx.time = 5_000;
    await Deno.writeTextFile(
      join(dir, METRIC_LOG_FILE),
      `${METRIC_LOG_HEADER}\na,1,4,3\nb,1,2,1\n`,
    );
    assert.equal(await state.plot.refresh(), true);
    assert.deepEqual(snapshot()?.series.map((s) => [s.name, s.champion, s.rows, s.lastRowAt]), [
      ["linear", true, 2, 5_000],
      ["forest", false, 0, null],
    ]);
    assert.deepEqual(snapshot()?.verdicts.map((v) => [v.challenger, v.pairs, v.verdict]), [
      ["forest", 0, "undecided"],
    ]);

    ctx.time = 7_000;
    await Deno.writeTextFile(
      join(dir, "metric_log.forest.csv"),
      `${METRIC_LOG_HEADER}\nb,1,6,5\nc,1,9,8\na,1,8,7\n`,
    );
    assert.equal(await state.plot.refresh(), true);
    const [champion, challenger] = snapshot()!.series;
    assert.deepEqual(challenger?.edges, champion?.edges);
    assert.deepEqual(
      [champion, challenger].map((s) => [s?.name, s?.rows, s?.lastRowAt, s?.edges, s?.counts]),
      [
        ["linear", 2, 5_000, [1, 4.5, 8], [2, 0]],
        ["forest", 3, 7_000, [1, 4.5, 8], [0, 3]],
      ],
    );
    // Ids a and b are in both logs: differences 7 − 3 and 5 − 1.
    assert.deepEqual(snapshot()?.verdicts, [{
      champion: "linear",
      challenger: "forest",
      verdict: "undecided",
      pairs: 2,
      meanDifference: 4,
      low: 4,
      high: 4,
      text:
        "forest against linear: undecided (mean difference +4, 95% interval 4..4, 2 pairs of the 30 needed)",
    }]);
    state.feed.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
