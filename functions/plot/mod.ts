/**
 * The plot function: every `PLOT_INTERVAL_MS` it reads the rows the metrics
 * function appended to each model's metric log in `$LOGS_DIR` (the champion's
 * `metric_log.csv`, each challenger's `metric_log.<model>.csv`) and, if the
 * errors changed, compares each challenger with the champion on the ids both
 * scored, draws every model's histogram to `$LOGS_DIR/error_distribution.png`
 * and pushes the bins and verdicts to the live page it serves at `GET /` on
 * its HTTP port.
 *
 * It uses no stream; the runtime only drives its timer and serves its routes.
 *
 * @module
 */
import { defineTicker, type TickResult } from "../../shared/define_function.ts";
import { CHART_JS_PACKAGE_FILE } from "./live_view_assets.ts";
import { createLivePlot } from "./live_plot.ts";
import { RENDERER_PACKAGE, RENDERER_VARIABLES } from "./renderer_package.ts";
import { plotSettings } from "./settings.ts";

/** The `plot` function. */
export default defineTicker({
  publishes: [],
  settings: plotSettings,
  // The renderer loads its prebuilt binary from its platform's package and reads
  // /usr/bin/ldd and three variables to pick it; the chart's font is a package
  // too; the live page serves Chart.js's browser build from its package.
  sandbox: {
    writeDirs: ["logsDir"],
    readPackages: [RENDERER_PACKAGE, "dejavu-fonts-ttf/ttf", CHART_JS_PACKAGE_FILE],
    ffiPackages: [RENDERER_PACKAGE],
    readFiles: ["/usr/bin/ldd"],
    env: RENDERER_VARIABLES,
  },
  intervalMs: (config) => config.intervalMs,
  setup: (ctx) => createLivePlot(ctx),
  async tick({ plot }): Promise<TickResult> {
    await plot.refresh();
    return "continue";
  },
  // Ends the live pages' streams, so the HTTP server can stop.
  close: ({ feed }) => feed.close(),
  routes: ({ routes }) => routes,
});
