/**
 * What a failover of metrics costs on the same volume: the time the new
 * process takes to open the store, reading back a metric log of `rows` rows
 * (the written ids) and a journal of `halves` waiting halves. Prints one line.
 *
 * `deno run --frozen -P=bench bench/metrics_recovery.ts [rows] [halves]`
 *
 * @module
 */
import { join } from "node:path";
import { METRIC_LOG_HEADER } from "../functions/_metric_log.ts";
import { encodeHalves } from "../functions/metrics/half_journal.ts";
import { CHAMPION_FILES } from "../functions/metrics/metric_files.ts";
import { METRIC_LOG_FILE, openMetricStore } from "../functions/metrics/metric_store.ts";

/** Writes the files, then times {@linkcode openMetricStore} on them. */
export async function measureRecovery(
  dir: string,
  rows: number,
  halves: number,
): Promise<{ ms: number; halvesRead: number }> {
  const lines: string[] = [METRIC_LOG_HEADER];
  for (let i = 0; i < rows; i++) lines.push(`${crypto.randomUUID()},151,140.25,10.75`);
  await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), lines.join("\n") + "\n");
  const waiting = Array.from({ length: halves }, (_, i) => ({
    id: crypto.randomUUID(),
    side: i % 2 === 0 ? "y_true" as const : "y_pred" as const,
    value: 100 + (i % 250),
    since: Date.now(),
  }));
  await Deno.writeFile(join(dir, CHAMPION_FILES.journal), encodeHalves(waiting));
  const start = performance.now();
  const { store, halves: read } = await openMetricStore(dir);
  const ms = performance.now() - start;
  await store.close();
  return { ms, halvesRead: read.length };
}

if (import.meta.main) {
  const rows = Number(Deno.args[0] ?? 1_000_000);
  const halves = Number(Deno.args[1] ?? 100_000);
  await Deno.mkdir("./logs", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: "./logs", prefix: "bench-recovery-" });
  try {
    const { ms, halvesRead } = await measureRecovery(dir, rows, halves);
    // deno-lint-ignore no-console
    console.log(
      `metrics recovery: ${Math.round(ms)} ms to open a metric log of ${rows} rows ` +
        `and a journal of ${halvesRead} waiting halves`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
