/**
 * The plot function: every `PLOT_INTERVAL_MS` it reads the rows the metrics
 * function appended to `$LOGS_DIR/metric_log.csv` and, if the errors changed,
 * draws their histogram to `$LOGS_DIR/error_distribution.png`.
 *
 * It uses no stream; the runtime only drives its timer.
 *
 * @module
 */
import { defineTicker, type TickResult } from "../../shared/define_function.ts";
import { ErrorPlot } from "./error_plot.ts";
import { plotSettings } from "./settings.ts";

/** The `plot` function. */
export default defineTicker({
  publishes: [],
  settings: plotSettings,
  // node-canvas loads its native addon from its package's build folder.
  sandbox: {
    writeDirs: ["logsDir"],
    readPackages: ["canvas/build/Release"],
    ffiPackages: ["canvas/build/Release"],
  },
  intervalMs: (config) => config.intervalMs,
  setup: (ctx) => new ErrorPlot(ctx),
  async tick(plot): Promise<TickResult> {
    await plot.refresh();
    return "continue";
  },
});
