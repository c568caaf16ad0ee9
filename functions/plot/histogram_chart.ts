/**
 * Draws the models' error histograms as a PNG bar chart with chart.js on a
 * Skia canvas (`@napi-rs/canvas`, whose compiled binary comes in a
 * per-platform npm package: no compiler, no install script), one canvas for
 * every drawing. One model is drawn as a plain histogram with its figures in
 * the title; several are overlaid in semi-transparent colours, with a legend
 * of their figures and the verdicts as the subtitle.
 *
 * @module
 */
import {
  BarController,
  BarElement,
  BasicPlatform,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  SubTitle,
  Title,
} from "chart.js";
import type { ChartConfiguration, ChartDataset, ChartItem, Plugin } from "chart.js";
import type { Canvas } from "@napi-rs/canvas";
import { CHART_FONT_FAMILY, CHART_FONT_PATHS, loadChartFonts } from "./chart_font.ts";
import type { ErrorDistributions, ModelHistogram } from "./error_distributions.ts";
import { formatFigure } from "./format_figure.ts";
import { verdictText } from "./model_verdict.ts";

/** The figures the chart's title reports. */
export interface ErrorSummary {
  readonly rows: number;
  /** Mean absolute error; NaN when there are no rows. */
  readonly mae: number;
  /** Root mean square error; NaN when there are no rows. */
  readonly rmse: number;
}

/** Options of {@linkcode HistogramChart.create}. */
export interface HistogramChartOptions {
  /** The TrueType files of the chart's font family. @default DejaVu Sans from `dejavu-fonts-ttf` */
  fontPaths?: readonly string[];
}

/** Draws error histograms of one size. */
export class HistogramChart {
  readonly #canvas: Canvas;

  private constructor(canvas: Canvas) {
    this.#canvas = canvas;
  }

  /**
   * Loads the renderer and the font; throws a `FontError` when the font cannot
   * be loaded, since the chart would otherwise be drawn without a word.
   */
  static async create(
    width: number,
    height: number,
    options: HistogramChartOptions = {},
  ): Promise<HistogramChart> {
    // Only the shipped font is used, so every machine draws the same picture,
    // and the renderer does not scan the system's font folders at import.
    if (Deno.env.get("DISABLE_SYSTEM_FONTS_LOAD") === undefined) {
      Deno.env.set("DISABLE_SYSTEM_FONTS_LOAD", "1");
    }
    const { createCanvas, GlobalFonts } = await import("@napi-rs/canvas");
    // chart.js draws only what is registered; registering twice changes nothing.
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Title, SubTitle, Legend);
    await loadChartFonts(GlobalFonts, options.fontPaths ?? CHART_FONT_PATHS);
    return new HistogramChart(createCanvas(width, height));
  }

  /** Renders the models' histograms as PNG bytes. */
  async render(distributions: ErrorDistributions): Promise<Uint8Array> {
    const canvas = this.#canvas;
    const context = canvas.getContext("2d");
    // chart.js draws on any 2D context shaped like the browser's; Skia's is.
    const chart = new Chart(
      context as unknown as ChartItem,
      { ...chartConfiguration(distributions), platform: BasicPlatform, plugins: [WHITE] },
    );
    try {
      return await canvas.encode("png");
    } finally {
      chart.destroy();
    }
  }
}

// A transparent PNG shows black on some viewers: paint the background first.
const WHITE: Plugin<"bar"> = {
  id: "white-background",
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * The fill and outline of each model's bars, the champion's first. One model
 * keeps the opaque-looking blue it always had; overlaid bars are half
 * transparent so that each shows through the others. The live page uses the
 * same colours (`live_page.js`).
 */
export const SERIES_COLOURS = {
  alone: ["rgba(54, 112, 198, 0.75)", "rgb(34, 76, 140)"],
  overlaid: [
    ["rgba(54, 112, 198, 0.5)", "rgb(34, 76, 140)"],
    ["rgba(221, 107, 32, 0.5)", "rgb(170, 75, 15)"],
    ["rgba(46, 160, 67, 0.5)", "rgb(26, 110, 45)"],
    ["rgba(150, 60, 170, 0.5)", "rgb(105, 35, 120)"],
  ],
} as const;

/** The chart.js configuration of the models' error histograms (their edges are the same). */
export function chartConfiguration(distributions: ErrorDistributions): ChartConfiguration<"bar"> {
  const { models, verdicts } = distributions;
  const alone = models.length === 1;
  const edges = models[0]?.histogram.edges ?? [];
  const counts = models[0]?.histogram.counts ?? [];
  return {
    type: "bar",
    data: {
      labels: counts.map((_, i) => `${formatFigure(edges[i]!)}–${formatFigure(edges[i + 1]!)}`),
      datasets: models.map((model, i) => dataset(model, i, alone)),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: {
        legend: {
          display: !alone,
          labels: { font: font(12), boxWidth: 14, boxHeight: 12 },
        },
        title: {
          display: true,
          text: alone ? chartTitle(models[0]!.summary) : "Error distribution by model",
          font: font(16, "bold"),
        },
        subtitle: {
          display: verdicts.length > 0,
          text: verdicts.map(verdictText),
          font: font(12),
        },
      },
      scales: {
        x: {
          title: { display: true, text: "absolute error", font: font(13) },
          ticks: { font: font(11), maxRotation: 60 },
        },
        y: {
          title: { display: true, text: "rows", font: font(13) },
          ticks: { font: font(11), precision: 0 },
          beginAtZero: true,
        },
      },
    },
  };
}

function dataset(model: ModelHistogram, i: number, alone: boolean): ChartDataset<"bar"> {
  const overlaid = SERIES_COLOURS.overlaid;
  const [fill, line] = alone ? SERIES_COLOURS.alone : overlaid[i % overlaid.length]!;
  return {
    label: alone ? "rows" : legendLabel(model),
    data: [...model.histogram.counts],
    backgroundColor: fill,
    borderColor: line,
    borderWidth: 1,
    // Adjacent bars, as a histogram's bins are, and each model's over the others.
    barPercentage: 1,
    categoryPercentage: 1,
    grouped: false,
  };
}

// Every text names the shipped font: chart.js's default family list names none of it.
function font(size: number, weight: "normal" | "bold" = "normal") {
  return { family: CHART_FONT_FAMILY, size, weight };
}

/** The title of one model's histogram: row count, MAE and RMSE. */
export function chartTitle(summary: ErrorSummary): string {
  return `Error distribution: ${figures(summary)}`;
}

/** A model's line in the legend: `linear (champion): 442 rows, MAE 43.28, RMSE 54.1`. */
export function legendLabel(model: Pick<ModelHistogram, "model" | "champion" | "summary">): string {
  return `${model.model}${model.champion ? " (champion)" : ""}: ${figures(model.summary)}`;
}

function figures(summary: ErrorSummary): string {
  const rows = `${summary.rows.toLocaleString("en-US")} ${summary.rows === 1 ? "row" : "rows"}`;
  if (summary.rows === 0) return rows;
  return `${rows}, MAE ${formatFigure(summary.mae)}, RMSE ${formatFigure(summary.rmse)}`;
}
