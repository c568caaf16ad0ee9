/**
 * The live page in a real browser (Debian's headless Chromium) while the
 * whole pipeline runs in this process on the embedded broker.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import type { Page } from "puppeteer-core";
import { loadConfig } from "../../shared/runtime/config.ts";
import {
  configureFunction,
  type LoadedFunction,
  loadFunction,
} from "../../shared/runtime/load_function.ts";
import { createLogger } from "../../shared/logger.ts";
import { MemoryBroker } from "../../shared/memory/memory_broker.ts";
import { createMemoryTransport } from "../../shared/memory/memory_transport.ts";
import { type FunctionRunner, runFunction } from "../../shared/runtime/run_function.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";
import { serveHealth } from "../../shared/runtime/health_server.ts";
import { Registry } from "prom-client";
import { launchChromium } from "./_testing/launch_chromium.ts";
import { stubRenderer } from "./_testing/stub_renderer.ts";
import { histogram } from "./histogram.ts";
import { chartConfiguration, chartTitle } from "./histogram_chart.ts";
import { LiveFeed } from "./live_feed.ts";
import type { PlotContext } from "./error_plot.ts";
import { createLivePlot } from "./live_plot.ts";
import { loadLiveViewAssets } from "./live_view_assets.ts";
import { liveViewRoutes } from "./live_view_routes.ts";
import { verdictView } from "./live_snapshot.ts";
import plot from "./mod.ts";

const N = 300;
const VIEWPORT = { width: 1000, height: 720 };

interface PageState {
  readonly status: string;
  readonly cells: Record<string, string>;
  readonly chart: { labels: string[]; data: number[][]; title: string } | null;
}

// The functions given to page.evaluate() run in the browser; this project type-checks
// without the DOM library, so they reach the page through an untyped globalThis.
// deno-lint-ignore no-explicit-any
type InPage = any;

function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const { document, Chart } = globalThis as InPage;
    const cells: Record<string, string> = {};
    for (const td of document.querySelectorAll("#series tbody tr:first-child td") as InPage[]) {
      cells[td.className] = td.textContent ?? "";
    }
    const chart = Chart.getChart("histogram");
    return {
      status: document.getElementById("status").textContent ?? "",
      cells,
      chart: chart === undefined ? null : {
        labels: chart.data.labels,
        data: chart.data.datasets.map((d: InPage) => d.data),
        title: chart.options.plugins.title.text,
      },
    };
  });
}

// Pixels of the bars' colour on the canvas: the chart was drawn, not only configured.
function barPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = (globalThis as InPage).document.getElementById("histogram");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && data[i + 2] > data[i] + 60) count++;
    }
    return count;
  });
}

async function csvErrors(path: string): Promise<Float64Array> {
  const lines = (await Deno.readTextFile(path)).trimEnd().split("\n").slice(1);
  return Float64Array.from(lines, (line) => Number(line.split(",")[3]));
}

Deno.test("the live page draws the histogram, counts rows as they arrive and matches the CSV", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "live_page_" });
  const env = {
    LOGS_DIR: logsDir,
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    FEATURES_LIMIT: String(N),
    FEATURES_INTERVAL_MS: "10",
    FEATURES_SEED: "11",
    PLOT_INTERVAL_MS: "100",
  };
  const config = loadConfig(env);
  const broker = new MemoryBroker();
  const runners: FunctionRunner[] = [];
  const start = async (fn: LoadedFunction) => {
    const runner = await runFunction(fn, config, {
      logger: createLogger(fn.name, { level: "warn", write: () => {} }),
      connect: (events) => createMemoryTransport(broker, { events }),
    });
    runners.push(runner);
    return runner;
  };
  const chromium = await launchChromium();
  const problems: string[] = [];
  try {
    const renderer = stubRenderer();
    const withStub = { ...plot, setup: (ctx: PlotContext) => createLivePlot(ctx, { renderer }) };
    const plotRunner = await start(configureFunction("plot", withStub, env));
    const page = await chromium.browser.newPage();
    await page.setViewport(VIEWPORT);
    page.on("console", (message) => {
      if (message.type() === "error") {
        problems.push(`console: ${message.text()} (${message.location().url ?? "page"})`);
      }
    });
    page.on("pageerror", (error) => problems.push(`page: ${error}`));
    const requested: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    page.on("requestfailed", (request) => {
      // The event stream is cut when the pipeline stops, at the end.
      if (!request.url().endsWith("/events")) problems.push(`request: ${request.url()}`);
    });
    await page.goto(`http://127.0.0.1:${plotRunner.httpPort}/`, { waitUntil: "load" });
    await waitFor("the page waiting for rows", async () => {
      return (await pageState(page)).status === "Waiting for rows…";
    });

    for (const name of ["model", "metrics", "features"]) {
      await start(await loadFunction(name, env));
    }
    const seen: number[] = [];
    await waitFor("all rows on the page", async () => {
      const rows = Number((await pageState(page)).cells.rows?.replaceAll(",", "") ?? 0);
      if (rows !== seen.at(-1)) seen.push(rows);
      return rows === N;
    }, { timeoutMs: 30_000, intervalMs: 20 });
    assert.deepEqual(seen.toSorted((a, b) => a - b), seen, "the row count never goes down");
    assert.ok(
      seen.some((rows) => rows > 0 && rows < N),
      `the row count rose while the pipeline ran: ${seen.join(", ")}`,
    );

    const errors = await csvErrors(join(logsDir, "metric_log.csv"));
    assert.equal(errors.length, N);
    const mae = errors.reduce((sum, e) => sum + e, 0) / N;
    const rmse = Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / N);
    const bins = histogram(errors, { maxBins: 100 });
    const png = chartConfiguration({
      models: [{
        model: "linear",
        champion: true,
        histogram: bins,
        summary: { rows: N, mae, rmse },
      }],
      verdicts: [],
    });
    const state = await pageState(page);
    assert.deepEqual(state.chart, {
      labels: png.data.labels,
      data: [[...bins.counts]],
      title: chartTitle({ rows: N, mae, rmse }),
    });
    const figure = (value: number) => String(Number(value.toPrecision(4)));
    assert.equal(state.cells.name, "linear (champion)");
    assert.equal(state.cells.rows, String(N));
    assert.equal(state.cells.mae, figure(mae));
    assert.equal(state.cells.rmse, figure(rmse));
    assert.match(state.cells.rate ?? "", /^\d+(\.\d)?$/);
    assert.match(state.cells["last-row"] ?? "", /^\d\d:\d\d:\d\d$/);
    assert.equal(state.status, "Live");
    assert.ok(await barPixels(page) > 1000, "the bars are drawn on the canvas");
    assert.ok(renderer.calls > 0, "the PNG was drawn too");

    const artifacts = await Deno.makeTempDir({ prefix: "live_page_screenshot_" });
    const screenshot = join(artifacts, "live_page.png");
    await page.screenshot({ path: screenshot });
    const shot = decode(await Deno.readFile(screenshot));
    assert.deepEqual([shot.width, shot.height], [VIEWPORT.width, VIEWPORT.height]);
    // deno-lint-ignore no-console -- where the test's artifact is
    console.log(`live page screenshot: ${screenshot}`);
    assert.deepEqual(problems, []);
    // Each file once and one event stream: the page never reloaded nor polled.
    assert.deepEqual(requested.toSorted(), [
      "/",
      "/chart.umd.min.js",
      "/events",
      "/live_page.css",
      "/live_page.js",
      "/live_page_icon.svg",
    ]);
  } finally {
    await chromium.close();
    await Promise.all(runners.map((runner) => runner.close()));
    await Deno.remove(logsDir, { recursive: true });
  }
});

Deno.test("the live page overlays every series it is sent, shows the verdicts and says when its stream is lost or refused", async () => {
  const feed = new LiveFeed();
  const server = await serveHealth({
    live: () => ({ ok: true }),
    ready: () => ({ ok: true }),
    registry: new Registry(),
    routes: liveViewRoutes(feed, {
      assets: await loadLiveViewAssets(),
      metricLogPath: "/nonexistent/metric_log.csv",
      plotPath: "/nonexistent/error_distribution.png",
    }),
  }, { hostname: "127.0.0.1", port: 0 });
  const chromium = await launchChromium();
  const problems: string[] = [];
  try {
    const page = await chromium.browser.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(`page: ${error}`));
    await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: "load" });
    const series = (name: string, champion: boolean, counts: number[], mae: number) => ({
      name,
      champion,
      rows: counts.reduce((a, b) => a + b, 0),
      mae,
      rmse: mae + 1,
      rowsPerSecond: 12.5,
      lastRowAt: Date.UTC(2026, 0, 1, 12, 0, 0),
      edges: [0, 10, 20, 30],
      counts,
    });
    const verdict = verdictView({
      champion: "linear",
      challenger: "forest",
      pairs: 9,
      meanDifference: 7.75,
      interval: [2.5, 13],
      verdict: "undecided",
    });
    feed.publish({
      version: 1,
      series: [series("linear", true, [5, 3, 1], 9.5), series("forest", false, [2, 4, 6], 17.25)],
      verdicts: [verdict],
    });
    await waitFor("two series on the page", async () => {
      return (await pageState(page)).chart?.data.length === 2;
    });
    const state = await pageState(page);
    assert.deepEqual(state.chart, {
      labels: ["0–10", "10–20", "20–30"],
      data: [[5, 3, 1], [2, 4, 6]],
      title: "Error distribution by model",
    });
    const shown = await page.evaluate(() => {
      const { document, Chart } = globalThis as InPage;
      return {
        rows: [...document.querySelectorAll("#series tbody tr")].map((tr: InPage) =>
          [...tr.children].map((td: InPage) => td.textContent)
        ),
        legend: Chart.getChart("histogram").data.datasets.map((d: InPage) => d.label),
        verdicts: [...document.querySelectorAll("#verdicts li")].map((li: InPage) =>
          li.textContent
        ),
      };
    });
    assert.deepEqual(
      shown.rows.map((row: string[]) => row.slice(0, 5)),
      [["linear (champion)", "9", "9.5", "10.5", "12.5"], [
        "forest",
        "12",
        "17.25",
        "18.25",
        "12.5",
      ]],
    );
    assert.deepEqual(shown.legend, [
      "linear (champion): 9 rows, MAE 9.5, RMSE 10.5",
      "forest: 12 rows, MAE 17.25, RMSE 18.25",
    ]);
    assert.deepEqual(shown.verdicts, [
      "forest against linear: undecided (mean difference +7.75, 95% interval 2.5..13, 9 pairs of the 30 needed)",
    ]);
    assert.equal(verdict.text, shown.verdicts[0]);

    feed.close();
    await waitFor("the page to say its stream is lost", async () => {
      return (await pageState(page)).status === "Connection lost, reconnecting…";
    });
    // Its reconnection is refused (503: the feed is closed), which ends its retries.
    await waitFor("the page to give up", async () => {
      return (await pageState(page)).status === "Disconnected: reload the page to try again";
    });
    assert.deepEqual(problems, [
      "Failed to load resource: the server responded with a status of 503 (Service Unavailable)",
    ]);
  } finally {
    await chromium.close();
    feed.close();
    await server.close();
  }
});
