/**
 * The plot function's work on each tick: read what each model's metric log
 * gained (the champion's `metric_log.csv`, each challenger's
 * `metric_log.<model>.csv`), and if any errors changed, compare each
 * challenger with the champion and draw every model's histogram, overlaid, to
 * `$LOGS_DIR/error_distribution.png`.
 *
 * @module
 */
import { join } from "node:path";
import type { Context } from "../../shared/define_function.ts";
import type { Logger } from "../../shared/logger.ts";
import type { SettingValues } from "../../shared/settings.ts";
import { ERROR_PLOT_FILE, metricLogFile } from "../_metric_log.ts";
import { comparedModels } from "../_settings.ts";
import { type ErrorDistributions, errorDistributions } from "./error_distributions.ts";
import { HistogramChart, type HistogramChartOptions } from "./histogram_chart.ts";
import { ModelErrors } from "./model_errors.ts";
import type { ModelVerdict } from "./model_verdict.ts";
import type { plotSettings } from "./settings.ts";
import { VerdictGauges } from "./verdict_gauges.ts";
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
   * Told of every new drawing before the PNG is drawn, so a view of the bins
   * does not wait for (nor depend on) the PNG renderer.
   */
  onHistogram?: (distributions: ErrorDistributions) => void;
}

/** Turns the models' histograms into PNG bytes. */
export interface HistogramRenderer {
  /** Renders every model's histogram, overlaid, with their figures and verdicts. */
  render(distributions: ErrorDistributions): Promise<Uint8Array>;
}

/** Keeps every model's errors and redraws their histograms when they change. */
export class ErrorPlot {
  readonly #plotPath: string;
  readonly #models: readonly ModelErrors[];
  readonly #chart: HistogramRenderer;
  readonly #onHistogram: ((distributions: ErrorDistributions) => void) | undefined;
  readonly #maxBins: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #gauges: VerdictGauges;
  #drawnVersion = 0;
  #announced: { version: number; distributions: ErrorDistributions } | undefined;

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

  /**
   * Sets up a reader per model from the context's configuration; draws with
   * `options.renderer`. A challenger named as the champion is a `ConfigError`.
   */
  constructor(ctx: PlotContext, options: ErrorPlotOptions & { renderer: HistogramRenderer }) {
    const { logsDir, champion, challengers } = ctx.config;
    const models = comparedModels(ctx.config);
    const report = {
      logger: ctx.logger,
      skippedRows: ctx.counter(
        "plot_skipped_rows",
        "Rows of the metric logs the plot function could not parse",
      ),
    };
    // Ids are kept only to pair rows, so only when there is a challenger to pair with.
    const read = {
      byId: challengers.length > 0,
      ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
    };
    this.#models = models.map((model) =>
      new ModelErrors(
        {
          model,
          path: join(logsDir, metricLogFile(model, champion)),
          champion: model === champion,
        },
        report,
        read,
      )
    );
    this.#plotPath = join(logsDir, ERROR_PLOT_FILE);
    this.#chart = options.renderer;
    this.#onHistogram = options.onHistogram;
    this.#maxBins = options.maxBins ?? 100;
    this.#logger = ctx.logger;
    this.#now = () => ctx.now();
    this.#gauges = new VerdictGauges((...args) => ctx.gauge(...args), challengers);
  }

  /** The champion's metric log. */
  get metricLogPath(): string {
    return this.#models[0]!.path;
  }

  /** Each challenger's metric log, in `CHALLENGERS`' order. */
  get challengerLogPaths(): string[] {
    return this.#models.slice(1).map((model) => model.path);
  }

  /** The PNG this plot writes. */
  get plotPath(): string {
    return this.#plotPath;
  }

  /** How many errors of the champion are held. */
  get rows(): number {
    return this.#models[0]!.rows;
  }

  /**
   * Reads the new rows of every model and, if any changed, compares and
   * redraws; true when it drew.
   */
  async refresh(): Promise<boolean> {
    const started = this.#now();
    for (const model of this.#models) await model.read();
    // Each model's version only rises, so their sum changes whenever one does.
    const version = this.#models.reduce((sum, model) => sum + model.version, 0);
    if (version === this.#drawnVersion) return false;
    // Once per version, even when the renderer failed and the next tick draws again.
    if (this.#announced?.version !== version) {
      const distributions = errorDistributions(this.#models, { maxBins: this.#maxBins });
      this.#announced = { version, distributions };
      for (const verdict of distributions.verdicts) this.#verdict(verdict);
      this.#onHistogram?.(distributions);
    }
    const { distributions } = this.#announced;
    await writeFileAtomic(this.#plotPath, await this.#chart.render(distributions));
    this.#drawnVersion = version;
    const [champion, ...challengers] = distributions.models;
    this.#logger.info("Histogram updated", {
      ...champion!.summary,
      ...(challengers.length === 0 ? {} : {
        challengers: challengers.map(({ model, summary }) => ({ model, ...summary })),
      }),
      bins: champion!.histogram.counts.length,
      ms: this.#now() - started,
    });
    return true;
  }

  #verdict(verdict: ModelVerdict): void {
    this.#gauges.set(verdict);
    this.#logger.info("verdict", {
      champion: verdict.champion,
      challenger: verdict.challenger,
      pairs: verdict.pairs,
      meanDifference: verdict.pairs === 0 ? null : verdict.meanDifference,
      low: verdict.interval?.[0] ?? null,
      high: verdict.interval?.[1] ?? null,
      verdict: verdict.verdict,
    });
  }
}
