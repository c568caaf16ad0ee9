/**
 * A check run by hand, not a test: how long the plot takes to read a
 * million-row metric log the first time, and to refresh (read, bin, render,
 * write) after 1 000 rows were appended.
 * Run: `deno run --frozen -P=bench bench/measure_refresh.ts`
 *
 * @module
 */
// deno-lint-ignore-file no-console -- an entry point that reports to the terminal
import { join } from "node:path";
import { fakeContext } from "../shared/testing/fake_context.ts";
import { METRIC_LOG_FILE } from "../functions/_metric_log.ts";
import { ErrorPlot } from "../functions/plot/error_plot.ts";
import { METRIC_LOG_HEADER } from "../functions/plot/metric_log_reader.ts";
import { plotSettings } from "../functions/plot/settings.ts";

const ROWS = 1_000_000;
const APPENDED = 1_000;
const REFRESHES = 5;

function rows(count: number, seed: number): string {
  let text = "";
  for (let i = 0; i < count; i++) {
    const truth = 25 + ((i + seed) * 7919) % 322;
    const predicted = truth + Math.sin(i + seed) * 60 + Math.cos((i + seed) * 0.37) * 25;
    text += `${crypto.randomUUID()},${truth},${predicted},${Math.abs(truth - predicted)}\n`;
  }
  return text;
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plot_measure_" });
  try {
    const log = join(dir, METRIC_LOG_FILE);
    await Deno.writeTextFile(log, `${METRIC_LOG_HEADER}\n${rows(ROWS, 0)}`);
    const size = (await Deno.stat(log)).size;
    const ctx = fakeContext(plotSettings, { name: "plot", env: { LOGS_DIR: dir } });
    const plot = await ErrorPlot.create(ctx);
    let started = performance.now();
    await plot.refresh();
    const first = performance.now() - started;
    console.log(
      `first read of ${plot.rows} rows (${(size / 1e6).toFixed(1)} MB), rendered: ${
        first.toFixed(0)
      } ms`,
    );
    for (let i = 1; i <= REFRESHES; i++) {
      await Deno.writeTextFile(log, rows(APPENDED, i * APPENDED), { append: true });
      started = performance.now();
      const drawn = await plot.refresh();
      const ms = performance.now() - started;
      console.log(
        `refresh ${i}: +${APPENDED} rows → ${plot.rows} rows, drawn ${drawn}: ${ms.toFixed(1)} ms`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
