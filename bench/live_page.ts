/**
 * Stage 8: the live page, measured in the browser (headless Chromium). The
 * plot's state is built as the function builds it and served by the
 * runtime's HTTP server; a metric log of R rows is read first. Then:
 *
 * - load: a new page, from navigation start to the first histogram drawn
 *   (the page's own `histogram-first-drawn` performance mark);
 * - update: 1 000 rows appended, then from the start of the refresh that reads
 *   them to the page's `histogram-drawn` mark of that version (both clocks are
 *   the machine's wall clock, `performance.timeOrigin + performance.now()`).
 *
 * The PNG is not drawn (a stub renderer): stage 5 times it, and the page is
 * sent its bins before the PNG is drawn.
 *
 * @module
 */
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import { Registry } from "prom-client";
import { fakeContext } from "../shared/testing/fake_context.ts";
import { serveHealth } from "../shared/runtime/health_server.ts";
import { METRIC_LOG_FILE } from "../functions/_metric_log.ts";
import { plotSettings } from "../functions/plot/settings.ts";
import { createLivePlot } from "../functions/plot/live_plot.ts";
import { METRIC_LOG_HEADER } from "../functions/plot/metric_log_reader.ts";
import { launchChromium } from "../functions/plot/_testing/launch_chromium.ts";
import { stubRenderer } from "../functions/plot/_testing/stub_renderer.ts";
import { type Percentiles, percentiles } from "./percentiles.ts";
import { metricRows } from "./plot_refresh.ts";

/** Options of {@linkcode measureLivePage}. */
export interface MeasureLivePageOptions {
  /** Page loads timed. @default 3 */
  loads?: number;
  /** Updates timed. @default 5 */
  updates?: number;
  /** Rows appended before each update. @default 1000 */
  appended?: number;
}

/** What {@linkcode measureLivePage} found. */
export interface LivePageResult {
  readonly rows: number;
  /** One snapshot event as the page receives it. */
  readonly eventBytes: number;
  /** Navigation start to the first histogram drawn. */
  readonly loadMs: Percentiles;
  readonly appended: number;
  /** Refresh start to the page's drawing of that update. */
  readonly updateMs: Percentiles;
}

// deno-lint-ignore no-explicit-any -- page.evaluate() runs this in the browser
type InBrowser = any;

/** Times the live page's load and updates with a `rows`-row metric log. */
export async function measureLivePage(
  rows: number,
  options: MeasureLivePageOptions = {},
): Promise<LivePageResult> {
  const appended = options.appended ?? 1000;
  const dir = await Deno.makeTempDir({ prefix: "bench-live-" });
  const ctx = fakeContext(plotSettings, {
    name: "plot",
    env: { LOGS_DIR: dir },
    now: () => Date.now(),
  });
  const state = await createLivePlot(ctx, { renderer: stubRenderer() });
  const server = await serveHealth(
    {
      live: () => ({ ok: true }),
      ready: () => ({ ok: true }),
      registry: new Registry(),
      routes: state.routes,
    },
    {
      hostname: "127.0.0.1",
      port: 0,
    },
  );
  const chromium = await launchChromium().catch(async (error) => {
    await server.close();
    await Deno.remove(dir, { recursive: true });
    throw error;
  });
  try {
    const log = join(dir, METRIC_LOG_FILE);
    await Deno.writeTextFile(log, `${METRIC_LOG_HEADER}\n`);
    for (let done = 0; done < rows; done += 100_000) {
      const count = Math.min(100_000, rows - done);
      await Deno.writeTextFile(log, metricRows(count, done), { append: true });
    }
    await state.plot.refresh();
    const url = `http://127.0.0.1:${server.port}/`;
    const loads: number[] = [];
    for (let i = 0; i < (options.loads ?? 3); i++) {
      const page = await chromium.browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() =>
        (globalThis as InBrowser).performance.getEntriesByName("histogram-first-drawn").length > 0
      );
      loads.push(await firstDrawnMs(page));
      await page.close();
    }
    const page = await chromium.browser.newPage();
    await page.goto(url);
    const updates: number[] = [];
    // One update more than timed: the first one after a page load also pays for
    // compiling the page's update path, which a page open for a while has done.
    for (let i = -1; i < (options.updates ?? 5); i++) {
      await Deno.writeTextFile(log, metricRows(appended, rows + (i + 1) * appended), {
        append: true,
      });
      const started = performance.timeOrigin + performance.now();
      if (!await state.plot.refresh()) throw new Error("Cannot time an update: nothing changed");
      const version = state.feed.snapshot!.version;
      await page.waitForFunction(
        (wanted: number) =>
          (globalThis as InBrowser).performance.getEntriesByName("histogram-drawn")
            .some((mark: InBrowser) => mark.detail.version === wanted),
        {},
        version,
      );
      if (i < 0) continue;
      updates.push(await drawnAt(page) - started);
    }
    const eventBytes = JSON.stringify(state.feed.snapshot).length;
    return {
      rows,
      eventBytes,
      loadMs: percentiles(loads),
      appended,
      updateMs: percentiles(updates),
    };
  } finally {
    await chromium.close();
    state.feed.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function firstDrawnMs(page: Page): Promise<number> {
  return page.evaluate(() =>
    (globalThis as InBrowser).performance.getEntriesByName("histogram-first-drawn")[0].startTime
  );
}

function drawnAt(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { performance } = globalThis as InBrowser;
    return performance.timeOrigin + performance.getEntriesByName("histogram-drawn")[0].startTime;
  });
}
