/**
 * Stage 5: the plot function's work per tick, in this process with its
 * ErrorPlot class (the approach of bench/measure_refresh.ts): a
 * first read of a metric log of R rows (read, parse, sort, bin, render,
 * write the PNG), then refreshes each after 1 000 rows were appended.
 *
 * @module
 */
import { join } from "node:path";
import { METRIC_LOG_FILE } from "../functions/_metric_log.ts";
import { ErrorPlot } from "../functions/plot/error_plot.ts";
import { METRIC_LOG_HEADER } from "../functions/plot/metric_log_reader.ts";
import { type Percentiles, percentiles } from "./percentiles.ts";
import { fakeContext } from "../shared/testing/fake_context.ts";
import { plotSettings } from "../functions/plot/settings.ts";

/** Options of {@linkcode measurePlotRefresh}. */
export interface MeasurePlotRefreshOptions {
  /** Rows appended before each refresh. @default 1000 */
  appended?: number;
  /** Refreshes timed. @default 5 */
  refreshes?: number;
}

/** What {@linkcode measurePlotRefresh} found. */
export interface PlotRefreshResult {
  readonly rows: number;
  readonly fileBytes: number;
  /** The first refresh, reading the whole file. */
  readonly firstReadMs: number;
  readonly appended: number;
  readonly refreshMs: Percentiles;
}

/** Times the first read of a `rows`-row log and refreshes after appends. */
export async function measurePlotRefresh(
  rows: number,
  options: MeasurePlotRefreshOptions = {},
): Promise<PlotRefreshResult> {
  const appended = options.appended ?? 1000;
  const dir = await Deno.makeTempDir({ prefix: "bench-plot-" });
  try {
    const log = join(dir, METRIC_LOG_FILE);
    await Deno.writeTextFile(log, `${METRIC_LOG_HEADER}\n`);
    for (let done = 0; done < rows; done += 100_000) {
      await Deno.writeTextFile(log, metricRows(Math.min(100_000, rows - done), done), {
        append: true,
      });
    }
    const fileBytes = (await Deno.stat(log)).size;
    const plot = await ErrorPlot.create(
      fakeContext(plotSettings, { name: "plot", env: { LOGS_DIR: dir } }),
    );
    let started = performance.now();
    await plot.refresh();
    const firstReadMs = performance.now() - started;
    const times: number[] = [];
    for (let i = 0; i < (options.refreshes ?? 5); i++) {
      await Deno.writeTextFile(log, metricRows(appended, rows + i * appended), { append: true });
      started = performance.now();
      if (!await plot.refresh()) throw new Error("Cannot time a refresh: the plot drew nothing");
      times.push(performance.now() - started);
    }
    if (plot.rows !== rows + times.length * appended) {
      throw new Error(`Cannot trust the plot timing: it holds ${plot.rows} rows`);
    }
    return { rows, fileBytes, firstReadMs, appended, refreshMs: percentiles(times) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `count` rows shaped like the metric log's: a UUID and plausible values. */
export function metricRows(count: number, seed: number): string {
  const lines: string[] = [];
  for (let i = seed; i < seed + count; i++) {
    const truth = 25 + (i * 7919) % 322;
    const predicted = truth + Math.sin(i) * 60 + Math.cos(i * 0.37) * 25;
    lines.push(`${crypto.randomUUID()},${truth},${predicted},${Math.abs(truth - predicted)}\n`);
  }
  return lines.join("");
}
