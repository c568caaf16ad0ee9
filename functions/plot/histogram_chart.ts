/**
 * Draws a {@linkcode Histogram} as a PNG bar chart with chart.js on a node
 * canvas, one reused canvas renderer for every drawing.
 *
 * @module
 */
import type { ChartConfiguration } from "chart.js";
import { ChartJSNodeCanvas } from "chartjs-node-canvas";
import type { Histogram } from "./histogram.ts";

/** The figures the chart's title reports. */
export interface ErrorSummary {
  readonly rows: number;
  /** Mean absolute error; NaN when there are no rows. */
  readonly mae: number;
  /** Root mean square error; NaN when there are no rows. */
  readonly rmse: number;
}

/** Draws error histograms of one size. */
export class HistogramChart {
  readonly #canvas: ChartJSNodeCanvas;

  /** Creates the renderer; loading canvas and chart.js happens once, here. */
  constructor(width: number, height: number) {
    this.#canvas = new ChartJSNodeCanvas({ width, height, backgroundColour: "white" });
  }

  /** Renders the histogram as PNG bytes. */
  async render(histogram: Histogram, summary: ErrorSummary): Promise<Uint8Array> {
    return await this.#canvas.renderToBuffer(chartConfiguration(histogram, summary), "image/png");
  }
}

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
      plugins: {
        legend: { display: false },
        title: { display: true, text: chartTitle(summary), font: { size: 16 } },
      },
      scales: {
        x: { title: { display: true, text: "absolute error" } },
        y: { title: { display: true, text: "rows" }, beginAtZero: true },
      },
    },
  };
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
