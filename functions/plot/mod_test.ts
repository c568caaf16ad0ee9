import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeContext } from "../../shared/testing/fake_context.ts";
import { stubRenderer } from "./_testing/stub_renderer.ts";
import { ErrorPlot } from "./error_plot.ts";
import { createLivePlot } from "./live_plot.ts";
import { METRIC_LOG_HEADER } from "./metric_log_reader.ts";
import plot from "./mod.ts";
import { plotSettings } from "./settings.ts";
import { readSettings } from "../../shared/settings.ts";

Deno.test("plot is a ticker on PLOT_INTERVAL_MS that publishes nothing", () => {
  assert.equal(plot.kind, "tick");
  assert.deepEqual(plot.publishes, []);
  assert.equal(plot.intervalMs(readSettings(plotSettings, { PLOT_INTERVAL_MS: "250" })), 250);
  assert.equal(plot.intervalMs(readSettings(plotSettings, {})), 5000);
});

Deno.test("plot.tick() draws $LOGS_DIR/error_distribution.png and keeps going", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plot_mod_" });
  try {
    const ctx = fakeContext(plotSettings, { name: "plot", env: { LOGS_DIR: dir } });
    await Deno.writeTextFile(join(dir, "metric_log.csv"), `${METRIC_LOG_HEADER}\na,1,3,2\n`);
    const state = await plot.setup(ctx);
    assert.ok(state.plot instanceof ErrorPlot);
    assert.equal(await plot.tick(state, ctx), "continue");
    assert.equal(await plot.tick(state, ctx), "continue");
    assert.equal((await Deno.stat(join(dir, "error_distribution.png"))).isFile, true);
    assert.equal(ctx.logs.filter((log) => log.event === "Histogram updated").length, 1);
    assert.equal(state.feed.snapshot?.series[0]?.rows, 1);
    await plot.close?.(state, ctx);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plot serves the live page's fixed paths and ends its streams on close", async () => {
  const ctx = fakeContext(plotSettings, { name: "plot", env: { LOGS_DIR: "/nonexistent" } });
  const state = await createLivePlot(ctx, { renderer: stubRenderer() });
  assert.deepEqual(Object.keys(plot.routes!(state, ctx)).sort(), [
    "/",
    "/chart.umd.min.js",
    "/error_distribution.png",
    "/events",
    "/live_page.css",
    "/live_page.js",
    "/live_page_icon.svg",
    "/metric_log.csv",
  ]);
  const events = state.feed.subscribe()!.getReader();
  await plot.close!(state, ctx);
  assert.deepEqual(await events.read(), { value: undefined, done: true });
});
