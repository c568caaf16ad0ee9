/**
 * The CPU the metrics join costs per observation, in process: `n` pairs fed
 * straight to the metrics state (no broker), once with each truth followed by
 * its prediction ("paired") and once with every truth before any prediction
 * ("apart", so all `n` wait at once). Prints one line per order.
 *
 * `deno run --frozen -P=bench bench/metrics_join_cpu.ts [n]`
 *
 * @module
 */
import process from "node:process";
import { join } from "node:path";
import { prediction, truth } from "../functions/_testing/metric_messages.ts";
import { openMetricsState } from "../functions/metrics/metrics_state.ts";
import { fakeContext } from "../shared/testing/fake_context.ts";
import { metricsSettings } from "../functions/metrics/settings.ts";

/** What one order cost. */
export interface JoinCpuResult {
  readonly order: "paired" | "apart";
  readonly n: number;
  /** User plus system CPU per observation, in µs. */
  readonly cpuMicrosPerObservation: number;
  readonly wallMs: number;
  readonly rows: number;
}

/** Feeds `n` pairs in the given order to a fresh metrics state in `dir`. */
export async function measureJoinCpu(
  dir: string,
  n: number,
  order: "paired" | "apart",
): Promise<JoinCpuResult> {
  const ctx = fakeContext(metricsSettings, {
    name: "metrics",
    env: {
      LOGS_DIR: dir,
      // Nothing may leave the waiting table while the bench runs.
      METRICS_PENDING_MAX: String(2 * n),
      METRICS_ORPHAN_AFTER_MS: "3600000",
    },
    now: Date.now,
  });
  const state = await openMetricsState(ctx);
  const ids = Array.from({ length: n }, (_, i) => `bench-${order}-${i}`);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const done: Promise<void>[] = [];
  if (order === "paired") {
    for (const [i, id] of ids.entries()) {
      done.push(state.handle(truth(id, 100 + (i % 200))));
      done.push(state.handle(prediction(id, 90 + (i % 150))));
    }
  } else {
    for (const [i, id] of ids.entries()) done.push(state.handle(truth(id, 100 + (i % 200))));
    for (const [i, id] of ids.entries()) done.push(state.handle(prediction(id, 90 + (i % 150))));
  }
  await Promise.all(done);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - start;
  await state.close();
  return {
    order,
    n,
    cpuMicrosPerObservation: (used.user + used.system) / n,
    wallMs,
    rows: ctx.counters.get("metrics_rows") ?? 0,
  };
}

if (import.meta.main) {
  const n = Number(Deno.args[0] ?? 20_000);
  const dir = await Deno.makeTempDir({ dir: "./logs", prefix: "bench-join-cpu-" }).catch(
    async () => {
      await Deno.mkdir("./logs", { recursive: true });
      return Deno.makeTempDir({ dir: "./logs", prefix: "bench-join-cpu-" });
    },
  );
  try {
    for (const order of ["paired", "apart"] as const) {
      const result = await measureJoinCpu(join(dir, order), n, order);
      // deno-lint-ignore no-console
      console.log(
        `join cpu ${order}: ${result.cpuMicrosPerObservation.toFixed(1)} µs/observation ` +
          `(${result.rows} rows of ${n}, ${Math.round(result.wallMs)} ms wall)`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
