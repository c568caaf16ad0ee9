/**
 * The plot function's work on each tick: read what the metric log gained,
 * and if the errors changed, draw their histogram to
 * `$LOGS_DIR/error_distribution.png`.
 *
 * @module
 */
import { join } from "node:path";
import type { Context, Counter } from "../../shared/define_function.ts";
import type { SettingValues } from "../../shared/settings.ts";
import { ERROR_PLOT_FILE, METRIC_LOG_FILE } from "../_metric_log.ts";
import type { plotSettings } from "./settings.ts";
import type { Logger } from "../../shared/logger.ts";
import { type Histogram, histogram } from "./histogram.ts";
import {
  type ErrorSummary,
  HistogramChart,
  type HistogramChartOptions,
} from "./histogram_chart.ts";
import {
  METRIC_LOG_HEADER,
  type MetricLogRead,
  MetricLogReader,
  type MetricLogStatus,
} from "./metric_log_reader.ts";
import { SortedErrors } from "./sorted_errors.ts";
import { writeFileAtomic } from "./write_file_atomic.ts";

/** The context plot runs in: it publishes nothing and reads its own settings. */
export type PlotContext = Context<never, SettingValues<typeof plotSettings>>;

/** Options of {@linkcode ErrorPlot}. */
export interface ErrorPlotOptions extends HistogramChartOptions {
  /** The most bins drawn. @default 100 */
  maxBins?: number;
  /** Bytes read at a time; also the longest line accepted. @default 1 MiB */
  chunkBytes?: number;
  /**
   * Draws the PNG. @default a {@linkcode HistogramChart} of `PLOT_WIDTH` × `PLOT_HEIGHT`,
   * made by {@linkcode ErrorPlot.create}
   */
  renderer?: HistogramRenderer;
  /**
   * Told of every new histogram before the PNG is drawn, so a view of the bins
   * does not wait for (nor depend on) the PNG renderer.
   */
  onHistogram?: (histogram: Histogram, summary: ErrorSummary) => void;
}

/** Turns a histogram into PNG bytes. */
export interface HistogramRenderer {
  /** Renders the histogram with its summary in the title. */
  render(histogram: Histogram, summary: ErrorSummary): Promise<Uint8Array>;
}

/** Keeps every error of the metric log and redraws their histogram when they change. */
export class ErrorPlot {
  readonly #logsPath: string;
  readonly #plotPath: string;
  readonly #reader: MetricLogReader;
  readonly #errors = new SortedErrors();
  readonly #chart: HistogramRenderer;
  readonly #onHistogram: ((histogram: Histogram, summary: ErrorSummary) => void) | undefined;
  readonly #maxBins: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #skippedRows: Counter;
  #version = 0;
  #drawnVersion = 0;
  #announcedVersion = 0;
  #status: MetricLogStatus | undefined;
  #torn = false;

  /**
   * Sets up the plot from the context's configuration; without a `renderer`,
   * loads the chart renderer and its font first (a `FontError` when it cannot).
   */
  static async create(ctx: PlotContext, options: ErrorPlotOptions = {}): Promise<ErrorPlot> {
    if (options.renderer !== undefined) {
      return new ErrorPlot(ctx, { ...options, renderer: options.renderer });
    }
    const { width, height } = ctx.config;
    const font = options.fontPaths === undefined ? {} : { fontPaths: options.fontPaths };
    const renderer = await HistogramChart.create(width, height, font);
    return new ErrorPlot(ctx, { ...options, renderer });
  }

  /** Sets up the reader from the context's configuration; draws with `options.renderer`. */
  constructor(ctx: PlotContext, options: ErrorPlotOptions & { renderer: HistogramRenderer }) {
    const { logsDir } = ctx.config;
    this.#logsPath = join(logsDir, METRIC_LOG_FILE);
    this.#plotPath = join(logsDir, ERROR_PLOT_FILE);
    const chunk = options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes };
    this.#reader = new MetricLogReader(this.#logsPath, chunk);
    this.#chart = options.renderer;
    this.#onHistogram = options.onHistogram;
    this.#maxBins = options.maxBins ?? 100;
    this.#logger = ctx.logger;
    this.#now = () => ctx.now();
    this.#skippedRows = ctx.counter(
      "plot_skipped_rows",
      "Rows of the metric log the plot function could not parse",
    );
  }

  /** The metric log this plot reads. */
  get metricLogPath(): string {
    return this.#logsPath;
  }

  /** The PNG this plot writes. */
  get plotPath(): string {
    return this.#plotPath;
  }

  /** How many errors are held. */
  get rows(): number {
    return this.#errors.length;
  }

  /** Reads the new rows and redraws if the errors changed; true when it drew. */
  async refresh(): Promise<boolean> {
    const started = this.#now();
    const read = await this.#reader.read();
    this.#take(read);
    this.#report(read);
    if (this.#version === this.#drawnVersion) return false;
    const version = this.#version;
    const bins = histogram(this.#errors.values(), { sorted: true, maxBins: this.#maxBins });
    const summary = { rows: this.#errors.length, mae: this.#errors.mae, rmse: this.#errors.rmse };
    // Once per version, even when the renderer failed and the next tick draws again.
    if (this.#announcedVersion !== version) this.#onHistogram?.(bins, summary);
    this.#announcedVersion = version;
    await writeFileAtomic(this.#plotPath, await this.#chart.render(bins, summary));
    this.#drawnVersion = version;
    this.#logger.info("Histogram updated", {
      ...summary,
      bins: bins.counts.length,
      ms: this.#now() - started,
    });
    return true;
  }

  #take(read: MetricLogRead): void {
    if (read.reset !== undefined) {
      this.#errors.clear();
      this.#version++;
      this.#logger.warn("Metric log changed under the reader, reading it again", {
        path: this.#logsPath,
        reason: read.reset,
      });
    }
    if (read.errors.length > 0) {
      this.#errors.add(read.errors);
      this.#version++;
    }
    if (read.skipped > 0) {
      this.#skippedRows.inc(read.skipped);
      this.#logger.warn("Skipped rows that cannot be parsed", {
        path: this.#logsPath,
        skipped: read.skipped,
        line: read.firstSkipped?.line,
        reason: read.firstSkipped?.reason,
      });
    }
  }

  // Says what the file looks like only when that changes, not on every tick.
  #report(read: MetricLogRead): void {
    if (read.status !== this.#status) {
      this.#status = read.status;
      const path = this.#logsPath;
      if (read.status === "missing") this.#logger.warn("Metric log not found", { path });
      if (read.status === "empty") this.#logger.info("Metric log has no rows yet", { path });
      if (read.status === "rows") this.#logger.info("Metric log has rows", { path });
      if (read.status === "bad-header") {
        this.#logger.warn("Metric log has an unexpected header, not reading it", {
          path,
          header: read.header,
          expected: METRIC_LOG_HEADER,
        });
      }
    }
    const torn = read.tornBytes > 0;
    if (torn && !this.#torn) {
      this.#logger.info("Torn last line left for the next tick", {
        path: this.#logsPath,
        bytes: read.tornBytes,
      });
    }
    this.#torn = torn;
  }
}
