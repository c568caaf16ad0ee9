/**
 * The whole pipeline, end to end, on both transports: N observations go in,
 * exactly N correct rows come out, and the histogram shows all of them.
 */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { join } from "node:path";
import { loadConfig } from "../shared/runtime/config.ts";
import { listFunctions, loadFunction } from "../shared/runtime/load_function.ts";
import { createLogger } from "../shared/logger.ts";
import { MemoryBroker } from "../shared/memory/memory_broker.ts";
import { createMemoryTransport } from "../shared/memory/memory_transport.ts";
import { type FunctionRunner, runFunction } from "../shared/runtime/run_function.ts";
import { STREAMS } from "./_streams.ts";
import { checkMetricLog, confirmedObservations } from "./_testing/check_metric_log.ts";
import { type FunctionProcess, spawnFunction } from "../shared/testing/function_process.ts";
import { listExchanges, listQueues, startRabbitNode } from "../shared/testing/rabbit_node.ts";
import { waitFor } from "../shared/testing/wait_for.ts";
import { loadDiabetes } from "./_load_diabetes.ts";
import { loadModel } from "./model/load_model.ts";

const N = 300;
const WIDTH = 640;
const HEIGHT = 400;

const env = (logsDir: string): Record<string, string> => ({
  LOGS_DIR: logsDir,
  HTTP_HOST: "127.0.0.1",
  HTTP_PORT: "0",
  LOG_LEVEL: "debug",
  FEATURES_LIMIT: String(N),
  FEATURES_INTERVAL_MS: "0",
  FEATURES_SEED: "11",
  PLOT_INTERVAL_MS: "200",
  PLOT_WIDTH: String(WIDTH),
  PLOT_HEIGHT: String(HEIGHT),
});

async function expectation(confirmed: Map<string, number>) {
  const rows = await loadDiabetes("./data");
  const model = await loadModel("./data", "linear");
  return {
    confirmed,
    target: (row: number) => rows[row]!.target,
    predict: (row: number) => model.predict(rows[row]!.features),
  };
}

async function csvRows(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").length - 2;
  } catch {
    return 0;
  }
}

async function checkOutputs(
  logsDir: string,
  confirmed: Map<string, number>,
  histogramRows: () => number,
) {
  const csv = await Deno.readTextFile(join(logsDir, "metric_log.csv"));
  const check = checkMetricLog(csv, await expectation(confirmed));
  assert.equal(confirmed.size, N, "the source confirmed N observations");
  assert.deepEqual(
    { rows: check.rows, lost: check.lost, duplicated: check.duplicated, wrong: check.wrong },
    { rows: N, lost: 0, duplicated: 0, wrong: 0 },
    check.problems.join("\n"),
  );
  await waitFor("the histogram of all N rows", () => histogramRows() === N);
  const png = decode(await Deno.readFile(join(logsDir, "error_distribution.png")));
  assert.equal(png.width, WIDTH);
  assert.equal(png.height, HEIGHT);
}

Deno.test("the pipeline on the embedded broker turns N observations into N correct rows", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "pipeline-e2e-" });
  const config = loadConfig(env(logsDir));
  const broker = new MemoryBroker();
  const records: Record<string, unknown>[] = [];
  const runners: FunctionRunner[] = [];
  try {
    for (const name of listFunctions()) {
      const fn = await loadFunction(name, env(logsDir));
      runners.push(
        await runFunction(fn, config, {
          logger: createLogger(name, { level: "debug", write: (l) => records.push(JSON.parse(l)) }),
          connect: (events) => createMemoryTransport(broker, { events }),
        }),
      );
    }
    const csv = join(logsDir, "metric_log.csv");
    await waitFor("N rows", async () => await csvRows(csv) >= N, { timeoutMs: 30_000 });
    const histogramRows = () =>
      Math.max(
        0,
        ...records.filter((r) => r.event === "Histogram updated").map((r) => Number(r.rows)),
      );
    await checkOutputs(logsDir, confirmedObservations(records), histogramRows);
    assert.deepEqual(
      broker.queues().map((q) => [q.name, q.messages, q.unacked]).toSorted(),
      [
        ["features/X.model", 0, 0],
        ["features/X.model.dead", 0, 0],
        ["metrics.in", 0, 0],
        ["metrics.in.dead", 0, 0],
      ].toSorted(),
    );
  } finally {
    await Promise.all(runners.map((runner) => runner.close()));
    await Deno.remove(logsDir, { recursive: true });
  }
});

Deno.test("the pipeline on RabbitMQ, one process per function, turns N observations into N correct rows", async () => {
  const node = await startRabbitNode();
  const logsDir = `./logs/e2e-${Deno.pid}-${Date.now()}`;
  const processes: FunctionProcess[] = [];
  try {
    for (const name of listFunctions()) {
      processes.push(await spawnFunction(name, { ...env(logsDir), AMQP_URL: node.url }));
    }
    const byName = (name: string) => processes.find((p) => p.name === name)!;
    const started = await Promise.all(
      processes.map((p) => p.waitForLog("start", (r) => r.event === "function started")),
    );
    await waitFor("N rows", async () => await csvRows(join(logsDir, "metric_log.csv")) >= N, {
      timeoutMs: 60_000,
    });
    for (const record of started) {
      const health = await fetch(`http://127.0.0.1:${record.httpPort}/healthz`);
      assert.equal(health.status, 200, `${record.function} is healthy`);
      await health.body?.cancel();
    }
    const plot = byName("plot");
    const histogramRows = () =>
      Math.max(
        0,
        ...plot.logs.filter((r) => r.event === "Histogram updated").map((r) => Number(r.rows)),
      );
    await checkOutputs(logsDir, confirmedObservations(byName("features").logs), histogramRows);

    const metricsPort = started.find((r) => r.function === "model")!.httpPort;
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(
        `pipeline_messages_consumed_total\\{stream="features/X",function="model"\\} ${N}\\n`,
      ),
    );
    const queues = await listQueues(node.nodeName);
    assert.deepEqual(
      queues.map((q) => [q.name, q.messages]).toSorted(),
      [
        ["features/X.model", 0],
        ["features/X.model.dead", 0],
        ["metrics.in", 0],
        ["metrics.in.dead", 0],
      ].toSorted(),
    );
    const exchanges = (await listExchanges(node.nodeName)).map((e) => e.name);
    for (const { name } of STREAMS) assert.ok(exchanges.includes(name), `exchange ${name}`);

    processes.forEach((p) => p.kill("SIGTERM"));
    assert.deepEqual(await Promise.all(processes.map((p) => p.exited)), [0, 0, 0, 0]);
  } finally {
    processes.forEach((p) => p.kill("SIGKILL"));
    await Promise.all(processes.map((p) => p.exited));
    await node.close();
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
});
