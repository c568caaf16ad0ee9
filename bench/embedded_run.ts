/**
 * Stage 7: the pipeline on the embedded broker, all four functions in this
 * process as `deno task dev` runs them without AMQP_URL; timed from the
 * source's start to the N-th row of the metric log.
 *
 * @module
 */
import { join } from "node:path";
import { loadConfig } from "../shared/runtime/config.ts";
import { listFunctions, loadFunction } from "../shared/runtime/load_function.ts";
import { createLogger } from "../shared/logger.ts";
import { MemoryBroker } from "../shared/memory/memory_broker.ts";
import { createMemoryTransport } from "../shared/memory/memory_transport.ts";
import { type FunctionRunner, runFunction } from "../shared/runtime/run_function.ts";
import { CsvWatcher } from "./_csv_watcher.ts";

/** What {@linkcode runEmbedded} found. */
export interface EmbeddedRunResult {
  readonly observations: number;
  readonly seconds: number;
  readonly observationsPerSecond: number;
}

/** Runs the four functions in-process on one embedded broker until `observations` rows. */
export async function runEmbedded(observations: number): Promise<EmbeddedRunResult> {
  const logsDir = await Deno.makeTempDir({ prefix: "bench-embedded-" });
  const env = {
    LOGS_DIR: logsDir,
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    FEATURES_INTERVAL_MS: "0",
    FEATURES_LIMIT: String(observations),
    FEATURES_SEED: "1",
  };
  const config = loadConfig(env);
  const broker = new MemoryBroker();
  const runners: FunctionRunner[] = [];
  try {
    // Consumers first, so their queues exist before the source's first publish.
    const order = [...listFunctions().filter((name) => name !== "features"), "features"];
    let first = 0;
    for (const name of order) {
      const fn = await loadFunction(name, env);
      if (name === "features") first = Date.now();
      runners.push(
        await runFunction(fn, config, {
          logger: createLogger(name, { level: "warn", write: () => {} }),
          connect: (events) => createMemoryTransport(broker, { events }),
        }),
      );
    }
    const watcher = new CsvWatcher(join(logsDir, "metric_log.csv"));
    const last = await watcher.waitForRows(observations, 120_000);
    const seconds = (last - first) / 1000;
    return { observations, seconds, observationsPerSecond: observations / seconds };
  } finally {
    await Promise.all(runners.map((runner) => runner.close()));
    await Deno.remove(logsDir, { recursive: true });
  }
}
