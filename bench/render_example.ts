/**
 * Renders `docs/error_distribution.png` from realistic data: 2 000 rows drawn
 * at random (seeded) from the diabetes data set, predicted by the fitted
 * linear model in `data/model.json`, written as a metric log and drawn by
 * {@linkcode ErrorPlot} as the running function would.
 * Run: `deno run --frozen -P=bench bench/render_example.ts`
 *
 * @module
 */
// deno-lint-ignore-file no-console -- an entry point that reports to the terminal
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { fakeContext } from "../shared/testing/fake_context.ts";
import { ERROR_PLOT_FILE as PLOT_FILE, METRIC_LOG_FILE } from "../functions/_metric_log.ts";
import { ErrorPlot } from "../functions/plot/error_plot.ts";
import { METRIC_LOG_HEADER } from "../functions/plot/metric_log_reader.ts";
import { plotSettings } from "../functions/plot/settings.ts";

const ROWS = 2_000;
const FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"] as const;

interface ModelFile {
  intercept: number;
  coefficients: Record<(typeof FEATURES)[number], number>;
}

// As load_diabetes(scaled=True): centred, then divided by the column's norm.
function scaled(records: Record<string, string>[], name: string): number[] {
  const values = records.map((record) => Number(record[name]));
  const mean = values.reduce((a, b) => a + b) / values.length;
  const norm = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0));
  return values.map((value) => (value - mean) / norm);
}

async function main(): Promise<void> {
  const records: Record<string, string>[] = parse(
    await Deno.readTextFile("data/diabetes_raw.csv"),
    { columns: true },
  );
  const model: ModelFile = JSON.parse(await Deno.readTextFile("data/model.json"));
  const columns = FEATURES.map((name) => scaled(records, name));
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let text = `${METRIC_LOG_HEADER}\n`;
  for (let i = 0; i < ROWS; i++) {
    const row = Math.floor(random() * records.length);
    const truth = Number(records[row]!.target);
    const predicted = FEATURES.reduce(
      (sum, name, j) => sum + model.coefficients[name] * columns[j]![row]!,
      model.intercept,
    );
    text += `${crypto.randomUUID()},${truth},${predicted},${Math.abs(truth - predicted)}\n`;
  }
  const dir = await Deno.makeTempDir({ prefix: "plot_example_" });
  try {
    await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), text);
    const ctx = fakeContext(plotSettings, { name: "plot", env: { LOGS_DIR: dir } });
    await (await ErrorPlot.create(ctx)).refresh();
    await Deno.mkdir("docs", { recursive: true });
    await Deno.copyFile(join(dir, PLOT_FILE), join("docs", PLOT_FILE));
    console.log(JSON.stringify(ctx.logs.at(-1)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
