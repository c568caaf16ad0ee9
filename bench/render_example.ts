/**
 * Renders the README's pictures from realistic data: 2 000 rows drawn at
 * random (seeded) from the diabetes data set, scored by the fitted models in
 * `data/`, written as metric logs and drawn by {@linkcode ErrorPlot} as the
 * running function would:
 * - `docs/error_distribution.png`: the linear model alone;
 * - `docs/model_comparison.png`: the linear model (champion) and the random
 *   forest (challenger) overlaid, with the verdict.
 *
 * Run: `deno run --frozen -P=bench bench/render_example.ts`
 *
 * @module
 */
// deno-lint-ignore-file no-console -- an entry point that reports to the terminal
import { join } from "node:path";
import { fakeContext } from "../shared/testing/fake_context.ts";
import { ERROR_PLOT_FILE as PLOT_FILE, metricLogFile } from "../functions/_metric_log.ts";
import { loadDiabetes } from "../functions/_load_diabetes.ts";
import { mulberry32 } from "../functions/_mulberry32.ts";
import { loadModel } from "../functions/model/load_model.ts";
import type { ModelKind } from "../functions/model/model.ts";
import { ErrorPlot } from "../functions/plot/error_plot.ts";
import { METRIC_LOG_HEADER } from "../functions/plot/metric_log_reader.ts";
import { plotSettings } from "../functions/plot/settings.ts";

const ROWS = 2_000;

/** Draws `models`' errors on the same seeded rows into `docs/<file>`; returns plot's log lines. */
async function render(models: readonly ModelKind[], file: string): Promise<unknown[]> {
  const data = await loadDiabetes("./data");
  const [champion, ...challengers] = models;
  const dir = await Deno.makeTempDir({ prefix: "plot_example_" });
  try {
    for (const kind of models) {
      const model = await loadModel("./data", kind);
      const random = mulberry32(42);
      let text = `${METRIC_LOG_HEADER}\n`;
      for (let i = 0; i < ROWS; i++) {
        const row = data[Math.floor(random() * data.length)]!;
        const predicted = model.predict(row.features);
        text += `id-${i},${row.target},${predicted},${Math.abs(row.target - predicted)}\n`;
      }
      await Deno.writeTextFile(join(dir, metricLogFile(kind, champion!)), text);
    }
    const ctx = fakeContext(plotSettings, {
      name: "plot",
      env: { LOGS_DIR: dir, CHAMPION: champion!, CHALLENGERS: challengers.join(",") },
    });
    await (await ErrorPlot.create(ctx)).refresh();
    await Deno.mkdir("docs", { recursive: true });
    await Deno.copyFile(join(dir, PLOT_FILE), join("docs", file));
    return ctx.logs.filter((log) => log.level === "info");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  for (const line of await render(["linear"], PLOT_FILE)) console.log(JSON.stringify(line));
  for (const line of await render(["linear", "forest"], "model_comparison.png")) {
    console.log(JSON.stringify(line));
  }
}
