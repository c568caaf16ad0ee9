/**
 * Draws a {@linkcode Histogram} as a PNG bar chart with chart.js on a Skia
 * canvas (`@napi-rs/canvas`, whose compiled binary comes in a per-platform npm
 * package: no compiler, no install script), one canvas for every drawing.
 *
 * @module
 */
import {
  BarController,
  BarElement,
  BasicPlatform,
  CategoryScale,
  Chart,
  LinearScale,
  Title,
} from "chart.js";
import type { ChartConfiguration, ChartItem, Plugin } from "chart.js";
import type { Canvas } from "@napi-rs/canvas";
import { CHART_FONT_FAMILY, CHART_FONT_PATHS, loadChartFonts } from "./chart_font.ts";
import type { Histogram } from "./histogram.ts";

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
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Title);
    await loadChartFonts(GlobalFonts, options.fontPaths ?? CHART_FONT_PATHS);
    return new HistogramChart(createCanvas(width, height));
  }

  /** Renders the histogram as PNG bytes. */
  async render(histogram: Histogram, summary: ErrorSummary): Promise<Uint8Array> {
    const canvas = this.#canvas;
    const context = canvas.getContext("2d");
    // chart.js draws on any 2D context shaped like the browser's; Skia's is.
    const chart = new Chart(
      context as unknown as ChartItem,
      { ...chartConfiguration(histogram, summary), platform: BasicPlatform, plugins: [WHITE] },
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

/** The chart.js configuration of an error histogram. */
export function chartConfiguration(
  histogram: Histogram,
  summary: ErrorSummary,
): ChartConfiguration<"bar"> {
  const { edges, counts } = histogram;
  return {
    type: "bar",
    data: {
      labels: counts.map((_, i) => `${formatNumber(edges[i]!)}–${formatNumber(edges[i + 1]!)}`),
      datasets: [{
        label: "rows",
        data: [...counts],
        backgroundColor: "rgba(54, 112, 198, 0.75)",
        borderColor: "rgb(34, 76, 140)",
        borderWidth: 1,
        // Adjacent bars, as a histogram's bins are.
        barPercentage: 1,
        categoryPercentage: 1,
      }],
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: {
        legend: { display: false },
        title: { display: true, text: chartTitle(summary), font: font(16, "bold") },
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

// Every text names the shipped font: chart.js's default family list names none of it.
function font(size: number, weight: "normal" | "bold" = "normal") {
  return { family: CHART_FONT_FAMILY, size, weight };
}

/** The title: row count, MAE and RMSE. */
export function chartTitle(summary: ErrorSummary): string {
  const rows = `${summary.rows.toLocaleString("en-US")} ${summary.rows === 1 ? "row" : "rows"}`;
  if (summary.rows === 0) return `Error distribution: ${rows}`;
  return `Error distribution: ${rows}, MAE ${formatNumber(summary.mae)}, RMSE ${
    formatNumber(summary.rmse)
  }`;
}

// Four significant digits read well for errors of any scale (0.001234, 43.28).
function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : "n/a";
}
