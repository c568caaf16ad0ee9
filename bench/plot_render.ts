/**
 * Stage 5, the renderer alone: one 30-bin histogram at the default size
 * (800×500), drawn by chart.js and encoded as PNG, timed over many drawings.
 *
 * @module
 */
import process from "node:process";
import { HistogramChart } from "../functions/plot/histogram_chart.ts";
import type { Histogram } from "../functions/plot/histogram.ts";
import { type Percentiles, percentiles } from "./percentiles.ts";

/** What {@linkcode measurePlotRender} found. */
export interface PlotRenderResult {
  readonly bins: number;
  readonly width: number;
  readonly height: number;
  /** Bytes of the last PNG. */
  readonly pngBytes: number;
  /** Render and encode, each drawing after the first (which loads the renderer). */
  readonly renderMs: Percentiles;
  /**
   * CPU time of this process per drawing (every thread, the encoder's too): steadier than
   * wall time on a machine others load.
   */
  readonly cpuMsPerDrawing: number;
}

/** Options of {@linkcode measurePlotRender}. */
export interface MeasurePlotRenderOptions {
  /** Drawings timed. @default 30 */
  drawings?: number;
}

/** Times `HistogramChart.render()` of a 30-bin histogram, 800×500. */
export async function measurePlotRender(
  options: MeasurePlotRenderOptions = {},
): Promise<PlotRenderResult> {
  const [width, height, bins] = [800, 500, 30];
  const chart = await HistogramChart.create(width, height);
  const histogram: Histogram = {
    edges: Array.from({ length: bins + 1 }, (_, i) => i * 5.25),
    counts: Array.from({ length: bins }, (_, i) => Math.round(4000 * Math.exp(-i / 6))),
    rule: "freedman-diaconis",
  };
  const summary = { rows: 25_000, mae: 43.28, rmse: 53.48 };
  const drawing = {
    models: [{ model: "linear", champion: true, histogram, summary }],
    verdicts: [],
  };
  let png = await chart.render(drawing);
  const times: number[] = [];
  const drawings = options.drawings ?? 30;
  const cpu = process.cpuUsage();
  for (let i = 0; i < drawings; i++) {
    const started = performance.now();
    png = await chart.render(drawing);
    times.push(performance.now() - started);
  }
  const { user, system } = process.cpuUsage(cpu);
  const cpuMsPerDrawing = (user + system) / 1000 / drawings;
  return {
    bins,
    width,
    height,
    pngBytes: png.length,
    renderMs: percentiles(times),
    cpuMsPerDrawing,
  };
}
