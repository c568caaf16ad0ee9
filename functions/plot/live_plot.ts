/**
 * The plot function's state: its {@linkcode ErrorPlot}, the feed that pushes
 * each new drawing (every model's histogram and the verdicts) to the live
 * page, and the page's routes.
 *
 * @module
 */
import type { Routes } from "../../shared/define_function.ts";
import type { ModelHistogram } from "./error_distributions.ts";
import { ErrorPlot, type HistogramRenderer, type PlotContext } from "./error_plot.ts";
import { LiveFeed, type LiveFeedOptions } from "./live_feed.ts";
import { type SeriesView, seriesView, verdictView } from "./live_snapshot.ts";
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
  const views = new Map<string, SeriesViews>();
  let version = 0;
  const plot = await ErrorPlot.create(ctx, {
    ...(options.renderer === undefined ? {} : { renderer: options.renderer }),
    onHistogram: ({ models, verdicts }) => {
      const at = ctx.now();
      feed.publish({
        version: ++version,
        series: models.map((model) => {
          let series = views.get(model.model);
          if (series === undefined) views.set(model.model, series = new SeriesViews());
          return series.view(model, at);
        }),
        verdicts: verdicts.map(verdictView),
      });
    },
  });
  const routes = liveViewRoutes(feed, {
    assets,
    metricLogPath: plot.metricLogPath,
    challengerLogPaths: plot.challengerLogPaths,
    plotPath: plot.plotPath,
  });
  return { plot, feed, routes };
}

// One model's series across updates: its rate, and when its rows last changed.
class SeriesViews {
  readonly #rate = new RowRate();
  #rows = 0;
  #lastRowAt: number | null = null;

  view(model: ModelHistogram, at: number): SeriesView {
    const { rows } = model.summary;
    if (rows !== this.#rows) this.#lastRowAt = at;
    this.#rows = rows;
    return seriesView(model.histogram, {
      name: model.model,
      champion: model.champion,
      summary: model.summary,
      at: this.#lastRowAt,
      rowsPerSecond: this.#rate.update(at, rows),
    });
  }
}
