/**
 * The plot function's state: its {@linkcode ErrorPlot}, the feed that pushes
 * each new histogram to the live page, and the page's routes.
 *
 * @module
 */
import type { Routes } from "../../shared/define_function.ts";
import { METRIC_LOG_FILE } from "../_metric_log.ts";
import { ErrorPlot, type HistogramRenderer, type PlotContext } from "./error_plot.ts";
import { LiveFeed, type LiveFeedOptions } from "./live_feed.ts";
import { seriesView } from "./live_snapshot.ts";
import { loadLiveViewAssets } from "./live_view_assets.ts";
import { liveViewRoutes } from "./live_view_routes.ts";
import { RowRate } from "./row_rate.ts";

/** What the plot function keeps between ticks. */
export interface LivePlot {
  readonly plot: ErrorPlot;
  readonly feed: LiveFeed;
  readonly routes: Routes;
}

/** Options of {@linkcode createLivePlot}. */
export interface CreateLivePlotOptions {
  /** Draws the PNG. @default the chart.js renderer of {@linkcode ErrorPlot} */
  renderer?: HistogramRenderer;
  /** @default {} */
  feed?: LiveFeedOptions;
}

/** Builds the plot, its live feed and the page's routes; reads the page's files. */
export async function createLivePlot(
  ctx: PlotContext,
  options: CreateLivePlotOptions = {},
): Promise<LivePlot> {
  const assets = await loadLiveViewAssets();
  const feed = new LiveFeed(options.feed);
  const rate = new RowRate();
  let version = 0;
  const plot = await ErrorPlot.create(ctx, {
    ...(options.renderer === undefined ? {} : { renderer: options.renderer }),
    onHistogram: (histogram, summary) => {
      const at = ctx.now();
      const rowsPerSecond = rate.update(at, summary.rows);
      feed.publish({
        version: ++version,
        series: [seriesView(histogram, { name: METRIC_LOG_FILE, summary, at, rowsPerSecond })],
      });
    },
  });
  const routes = liveViewRoutes(feed, {
    assets,
    metricLogPath: plot.metricLogPath,
    plotPath: plot.plotPath,
  });
  return { plot, feed, routes };
}
