/**
 * The fault-injection suite (`deno task test:faults`): the pipeline keeps its
 * promise — every confirmed observation becomes exactly one correct row —
 * while functions are killed with SIGKILL and restarted, the broker is stopped
 * and started, nodes of a 3-node cluster are killed and stopped, and handlers
 * fail at random.
 *
 * The join's two large cases run here too: a model outage of 60 s under
 * 20 000 observations, and LOGS_DIR on a full tmpfs (root only: elsewhere its
 * figures line says it was skipped).
 *
 * Not matched by `deno test`'s default pattern: it runs on its own, in CI
 * after the main suite. `FAULTS_N` and `FAULTS_SEED` change its size and its
 * random moments.
 */
// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../../shared/runtime/config.ts";
import type { ConsumerFunction } from "../../shared/define_function.ts";
import { loadFunction } from "../../shared/runtime/load_function.ts";
import { createLogger } from "../../shared/logger.ts";
import { MemoryBroker } from "../../shared/memory/memory_broker.ts";
import {
  createMemoryTransport,
  type MemoryTransport,
} from "../../shared/memory/memory_transport.ts";
import { type FunctionRunner, runFunction } from "../../shared/runtime/run_function.ts";
import { queueName } from "../../shared/runtime/transport.ts";
import { loadDiabetes } from "../_load_diabetes.ts";
import { mulberry32 } from "../_mulberry32.ts";
import { loadModel } from "../model/load_model.ts";
import { delay } from "../../shared/runtime/backoff.ts";
import { checkMetricLog, confirmedObservations, type MetricLogCheck } from "./check_metric_log.ts";
import { expectation, ProcessPipeline, readCsv } from "./process_pipeline.ts";
import { listQueues, startRabbitNode } from "../../shared/testing/rabbit_node.ts";
import { startRabbitCluster } from "../../shared/testing/rabbit_cluster.ts";
import { longestGap, RowClock } from "../../shared/testing/row_clock.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";
import { diskFull, modelOutage } from "./join_scenarios.ts";

const N = Number(Deno.env.get("FAULTS_N") ?? 20000);
const SEED = Number(Deno.env.get("FAULTS_SEED") ?? 2026);

/** A fault and the share of N rows written at which it strikes. */
type Fault =
  | { kind: "kill"; name: "model" | "model-forest" | "metrics"; at: number }
  | { kind: "broker"; at: number };

/**
 * The consumers of the RabbitMQ case: the champion, a challenger (the model
 * function again, in a group of its own) and metrics joining both.
 */
const CONSUMERS = {
  model: { function: "model", env: {} },
  "model-forest": { function: "model", env: { MODEL: "forest", CONSUMER_GROUP: "model-forest" } },
  metrics: { function: "metrics", env: { CHALLENGERS: "forest" } },
} as const;

/** The faults on the consuming side, in order; the source's own runs beside them. */
function schedule(random: () => number): Fault[] {
  const at = (low: number, high: number) => low + random() * (high - low);
  return [
    { kind: "kill", name: "model", at: at(0.05, 0.2) },
    { kind: "kill", name: "metrics", at: at(0.2, 0.35) },
    { kind: "kill", name: "model-forest", at: at(0.35, 0.4) },
    { kind: "kill", name: "model", at: at(0.4, 0.55) },
    { kind: "kill", name: "metrics", at: at(0.55, 0.7) },
    { kind: "broker", at: at(0.7, 0.85) },
  ];
}

Deno.test("the pipeline on RabbitMQ loses and doubles nothing through kills and a broker restart, for the champion and a challenger", async () => {
  const node = await startRabbitNode();
  const logsDir = `./logs/faults-${Deno.pid}-${Date.now()}`;
  const csvPath = join(logsDir, "metric_log.csv");
  const challengerCsvPath = join(logsDir, "metric_log.forest.csv");
  const pipeline = new ProcessPipeline(node.url, logsDir);
  const started = Date.now();
  let kills = 0, brokerRestarts = 0;
  const startConsumer = (name: keyof typeof CONSUMERS) =>
    pipeline.start(CONSUMERS[name].function, CONSUMERS[name].env, name);
  try {
    // Every consumer group's queue exists before the source publishes: a
    // fanout routes to the queues bound when it publishes, and the champion's
    // queue alone makes a publish routable, so a challenger started late would
    // miss the first observations (and its file lack their rows).
    await Promise.all((Object.keys(CONSUMERS) as (keyof typeof CONSUMERS)[]).map(startConsumer));
    await pipeline.start("features", { FEATURES_LIMIT: String(N), FEATURES_INTERVAL_MS: "0" });
    const rows = async () => (await readCsv(csvPath)).split("\n").length - 2;
    const random = mulberry32(SEED);
    // The source runs far ahead of the consumers, so its kill follows its own
    // progress, beside the faults that follow the rows written.
    const sourceFault = (async () => {
      const at = 0.2 + random() * 0.4;
      await waitFor("source progress", () => pipeline.confirmed() >= at * N, {
        timeoutMs: 60_000,
        intervalMs: 5,
      });
      await pipeline.kill("features");
      const confirmed = pipeline.confirmed();
      console.log(`  kill -9 features at ${confirmed} of ${N} confirmed`);
      await delay(300);
      await pipeline.start("features", {
        FEATURES_LIMIT: String(N - confirmed),
        FEATURES_INTERVAL_MS: "0",
      });
      kills++;
    })();
    for (const fault of schedule(random)) {
      await waitFor(
        `${Math.round(fault.at * 100)}% of rows`,
        async () => await rows() >= fault.at * N,
        {
          timeoutMs: 60_000,
          intervalMs: 5,
        },
      );
      const what = fault.kind === "broker" ? "broker stop" : `kill -9 ${fault.name}`;
      console.log(`  ${what} at ${await rows()} rows`);
      if (fault.kind === "broker") {
        await node.stopApp();
        await delay(2000);
        await node.startApp();
        brokerRestarts++;
      } else {
        await pipeline.kill(fault.name);
        await delay(300 + Math.round(random() * 700));
        await startConsumer(fault.name);
        kills++;
      }
    }
    await sourceFault;
    await pipeline.current("features").waitForLog(
      "the source to finish",
      (r) => r.event === "ticks done",
      {
        timeoutMs: 60_000,
      },
    );
    const expected = await expectation(pipeline.runs);
    const challengerExpected = await expectation(pipeline.runs, "forest");
    let check: MetricLogCheck | undefined;
    let challengerCheck: MetricLogCheck | undefined;
    await waitFor("every confirmed observation to have its row, in both files", async () => {
      check = checkMetricLog(await readCsv(csvPath), expected);
      challengerCheck = checkMetricLog(await readCsv(challengerCsvPath), challengerExpected);
      return check.lost === 0 && challengerCheck.lost === 0;
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch(async (error) => {
      // What was left where, for the one reading the failure.
      for (const [file, result] of [["champion", check], ["forest", challengerCheck]] as const) {
        console.log(`  ${file}: lost=${result?.lost} rows=${result?.rows} ${result?.problems[0]}`);
      }
      for (const q of await listQueues(node.nodeName)) {
        console.log(`  ${q.name}: ${q.messages}`);
      }
      for (const run of pipeline.runs) console.log(`  ${run.name}: ${eventCounts(run.logs)}`);
      await keepForInquiry(logsDir, pipeline);
      throw error;
    });
    await waitFor("the queues to drain", async () => {
      const queues = await listQueues(node.nodeName);
      return queues.filter((q) => !q.name.endsWith(".dead")).every((q) => q.messages === 0);
    }, { timeoutMs: 60_000, intervalMs: 200 });
    await delay(500);
    check = checkMetricLog(await readCsv(csvPath), expected);
    challengerCheck = checkMetricLog(await readCsv(challengerCsvPath), challengerExpected);
    const deadLettered = (await listQueues(node.nodeName))
      .filter((q) => q.name.endsWith(".dead"))
      .reduce((sum, q) => sum + q.messages, 0);
    console.log(
      `faults(rabbitmq): N=${N} confirmed=${expected.confirmed.size} kills=${kills} ` +
        `broker_restarts=${brokerRestarts} rows=${check.rows} lost=${check.lost} ` +
        `duplicated=${check.duplicated} wrong=${check.wrong} unconfirmed_rows=${check.unconfirmed} ` +
        `dead_lettered=${deadLettered} seconds=${
          ((Date.now() - started) / 1000).toFixed(1)
        } seed=${SEED}`,
    );
    console.log(
      `faults(rabbitmq, challenger forest): rows=${challengerCheck.rows} ` +
        `lost=${challengerCheck.lost} duplicated=${challengerCheck.duplicated} ` +
        `wrong=${challengerCheck.wrong} unconfirmed_rows=${challengerCheck.unconfirmed}`,
    );
    assert.equal(expected.confirmed.size, N, "the two source runs confirmed N observations");
    for (
      const [file, result] of [["metric_log.csv", check], ["forest's", challengerCheck]] as const
    ) {
      assert.deepEqual(
        { lost: result.lost, duplicated: result.duplicated, wrong: result.wrong },
        { lost: 0, duplicated: 0, wrong: 0 },
        `${file}: ${result.problems.join("\n")}`,
      );
    }
    assert.deepEqual(await pipeline.stop(), [0, 0, 0, 0]);
  } finally {
    await pipeline.close();
    await node.close();
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
});

/**
 * After a failure, writes every run's log lines beside the CSVs and keeps
 * them there (`<logsDir>.kept`), for the one reading the failure.
 */
async function keepForInquiry(logsDir: string, pipeline: ProcessPipeline): Promise<void> {
  for (const [i, run] of pipeline.runs.entries()) {
    const lines = run.logs.map((record) => JSON.stringify(record)).join("\n");
    await Deno.writeTextFile(join(logsDir, `run-${i}-${run.name}.jsonl`), lines + "\n");
  }
  await Deno.rename(logsDir, `${logsDir}.kept`);
  console.log(`  kept the CSVs and every run's log lines in ${logsDir}.kept`);
}

/** "event×count" of every log line above debug, for a failure's report. */
function eventCounts(logs: readonly { level?: string; event?: string }[]): string {
  const counts = new Map<string, number>();
  for (const { level, event } of logs) {
    if (level !== "debug") counts.set(`${event}`, (counts.get(`${event}`) ?? 0) + 1);
  }
  return [...counts].map(([event, count]) => `${event}×${count}`).join(", ");
}

Deno.test("the pipeline on a 3-node cluster loses and doubles nothing when a leader node is killed and another stopped", async () => {
  const cluster = await startRabbitCluster();
  const logsDir = `./logs/faults-cluster-${Deno.pid}-${Date.now()}`;
  const csvPath = join(logsDir, "metric_log.csv");
  // Every function gets every node's URL, the first first: all connect there.
  const pipeline = new ProcessPipeline(cluster.url, logsDir);
  const random = mulberry32(SEED);
  const started = Date.now();
  await Deno.mkdir(logsDir, { recursive: true });
  const clock = new RowClock(csvPath);
  const queue = queueName("features/X", "model");
  const leaderOf = async () => (await cluster.quorumQueues()).find((q) => q.name === queue)!.leader;
  const nodeNamed = (name: string) => cluster.nodes.find((node) => node.nodeName === name)!;
  const losses: { what: string; at: number; until: number; rows: number }[] = [];
  try {
    // model declares its queue; its leader is read before the stream starts
    // (rabbitmqctl takes seconds), so that the kill comes early and the killed
    // node is back (a start takes 5-15 s here) while rows are still being
    // written, for the second node's stop.
    await pipeline.start("model");
    await waitFor(
      `${queue} to exist`,
      async () => (await cluster.quorumQueues()).some((q) => q.name === queue),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const killed = nodeNamed(await leaderOf());
    await pipeline.start("metrics");
    await pipeline.start("features", { FEATURES_LIMIT: String(N), FEATURES_INTERVAL_MS: "0" });
    const rows = async () => (await readCsv(csvPath)).split("\n").length - 2;

    const share = 0.03 + random() * 0.05;
    await waitFor(`${Math.round(share * 100)}% of rows`, async () => await rows() >= share * N, {
      timeoutMs: 120_000,
    });
    const rowsAtKill = await rows();
    console.log(`  kill -9 ${killed.nodeName} (leads ${queue}) at ${rowsAtKill} rows`);
    const killedAt = Date.now();
    await killed.kill();
    await delay(1000 + Math.round(random() * 2000));
    await killed.start();
    losses.push({ what: "kill", at: killedAt, until: Date.now(), rows: rowsAtKill });
    console.log(`  ${killed.nodeName} back at ${await rows()} rows`);

    // The new leader, elected while the first was down: a second node. As in a
    // rolling restart, it stops once no queue needs it for its majority, that
    // is once the killed node's replicas have caught up.
    const leader = nodeNamed(await leaderOf());
    const stopped = leader === killed ? cluster.nodes.find((node) => node !== killed)! : leader;
    await waitFor(`${stopped.nodeName} to be no queue's last majority`, async () => {
      try {
        await stopped.queues("check_if_node_is_quorum_critical");
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 60_000, intervalMs: 200 });
    const rowsAtStop = await rows();
    console.log(
      `  stop ${stopped.nodeName} (${stopped === leader ? "leads" : "follows"} ${queue}) ` +
        `at ${rowsAtStop} rows`,
    );
    const stoppedAt = Date.now();
    await stopped.stop();
    await delay(1000);
    await stopped.start();
    losses.push({ what: "stop", at: stoppedAt, until: Date.now(), rows: rowsAtStop });
    console.log(`  ${stopped.nodeName} back at ${await rows()} rows`);

    await pipeline.current("features").waitForLog(
      "the source to finish",
      (r) => r.event === "ticks done",
      { timeoutMs: 120_000 },
    );
    const expected = await expectation(pipeline.runs);
    let check: MetricLogCheck | undefined;
    await waitFor("every confirmed observation to have its row", async () => {
      check = checkMetricLog(await readCsv(csvPath), expected);
      return check.lost === 0;
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch(async (error) => {
      // What was left where, for the one reading the failure.
      console.log(`  lost=${check?.lost} rows=${check?.rows}`);
      for (const q of await cluster.quorumQueues()) console.log(`  ${q.name}: ${q.messages}`);
      for (const run of pipeline.runs) console.log(`  ${run.name}: ${eventCounts(run.logs)}`);
      await keepForInquiry(logsDir, pipeline);
      throw error;
    });
    await waitFor("the queues to drain", async () => {
      const queues = await cluster.quorumQueues();
      return queues.filter((q) => !q.name.endsWith(".dead")).every((q) => q.messages === 0);
    }, { timeoutMs: 60_000, intervalMs: 200 });
    await delay(500);
    await clock.stop();
    check = checkMetricLog(await readCsv(csvPath), expected);
    const queues = await cluster.quorumQueues();
    const deadLettered = queues.filter((q) => q.name.endsWith(".dead"))
      .reduce((sum, q) => sum + q.messages, 0);
    // From the loss until the node is back and 5 s more: rows must have resumed.
    // A loss after the last row stalled nothing: no gap to report.
    const gaps = losses.map(({ what, at, until, rows }) =>
      `${what}_gap_ms=${rows >= N ? "after_last_row" : longestGap(clock.growth, at, until + 5000)}`
    );
    console.log(
      `faults(cluster): N=${N} confirmed=${expected.confirmed.size} nodes=3 ` +
        `rows=${check.rows} lost=${check.lost} duplicated=${check.duplicated} ` +
        `wrong=${check.wrong} unconfirmed_rows=${check.unconfirmed} dead_lettered=${deadLettered} ` +
        `${gaps.join(" ")} rows_at_kill=${losses[0]!.rows} rows_at_stop=${rowsAtStop} seconds=${
          ((Date.now() - started) / 1000).toFixed(1)
        } seed=${SEED}`,
    );
    assert.equal(expected.confirmed.size, N, "the source confirmed N observations");
    assert.deepEqual(
      { lost: check.lost, duplicated: check.duplicated, wrong: check.wrong },
      { lost: 0, duplicated: 0, wrong: 0 },
      check.problems.join("\n"),
    );
    const names = cluster.nodes.map((node) => node.nodeName).toSorted();
    assert.deepEqual(await cluster.runningNodes(), names);
    for (const q of queues) assert.deepEqual(q.members, names, q.name);
    assert.deepEqual(await pipeline.stop(), [0, 0, 0]);
  } finally {
    await clock.stop();
    await pipeline.close();
    await cluster.close();
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("the pipeline on the embedded broker loses and doubles nothing through handler failures and crashes", async () => {
  const n = Math.min(N, 5000);
  const logsDir = await Deno.makeTempDir({ prefix: "faults-embedded-" });
  const csvPath = join(logsDir, "metric_log.csv");
  const env = {
    LOGS_DIR: logsDir,
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    FEATURES_LIMIT: String(n),
    FEATURES_INTERVAL_MS: "0",
    MAX_ATTEMPTS: "10",
    RETRY_DELAY_MS: "5",
  };
  const config = loadConfig(env);
  const broker = new MemoryBroker();
  const random = mulberry32(SEED);
  const records: Record<string, unknown>[] = [];
  const live = new Map<string, { runner: FunctionRunner; transport: MemoryTransport }>();
  let injected = 0;
  // A handler that fails at random before doing anything, like a flaky dependency.
  const flaky = (fn: ConsumerFunction): ConsumerFunction => ({
    ...fn,
    handle(message, state, ctx) {
      if (random() < 0.03) {
        injected++;
        throw new Error("Injected failure");
      }
      return fn.handle(message, state, ctx);
    },
  });
  async function start(name: string): Promise<void> {
    const loaded = await loadFunction(name, env);
    const { definition } = loaded;
    const fn = definition.kind === "consumer"
      ? { ...loaded, definition: flaky(definition) }
      : loaded;
    let transport: MemoryTransport | undefined;
    const runner = await runFunction(fn, config, {
      logger: createLogger(name, { level: "debug", write: (l) => records.push(JSON.parse(l)) }),
      connect: (events) => transport = createMemoryTransport(broker, { events }),
    });
    live.set(name, { runner, transport: transport! });
  }
  async function crash(name: string): Promise<void> {
    const { runner, transport } = live.get(name)!;
    transport.crash();
    await runner.close();
    await start(name);
  }
  const rows = async () => (await readCsv(csvPath)).split("\n").length - 2;
  try {
    await start("model");
    await start("metrics");
    await start("features");
    await waitFor("30% of rows", async () => await rows() >= 0.3 * n, { intervalMs: 5 });
    await crash("model");
    await waitFor("60% of rows", async () => await rows() >= 0.6 * n, { intervalMs: 5 });
    await crash("metrics");
    const rowsOf = await loadDiabetes("./data");
    const model = await loadModel("./data", "linear");
    const expected = {
      confirmed: confirmedObservations(records),
      target: (row: number) => rowsOf[row]!.target,
      predict: (row: number) => model.predict(rowsOf[row]!.features),
    };
    await waitFor("every row", async () => {
      expected.confirmed = confirmedObservations(records);
      return expected.confirmed.size === n &&
        checkMetricLog(await readCsv(csvPath), expected).lost === 0;
    }, { timeoutMs: 60_000, intervalMs: 50 });
    await delay(200);
    const check = checkMetricLog(await readCsv(csvPath), expected);
    const retried = records.filter((r) => r.event === "message retried").length;
    console.log(
      `faults(embedded): N=${n} crashes=2 injected_failures=${injected} retried=${retried} ` +
        `rows=${check.rows} lost=${check.lost} duplicated=${check.duplicated} wrong=${check.wrong}`,
    );
    assert.ok(injected > 0 && retried >= injected, "failures were injected and retried");
    assert.deepEqual(
      { rows: check.rows, lost: check.lost, duplicated: check.duplicated, wrong: check.wrong },
      { rows: n, lost: 0, duplicated: 0, wrong: 0 },
      check.problems.join("\n"),
    );
    assert.deepEqual(
      broker.queues().filter((q) => q.messages + q.unacked > 0).map((q) => q.name),
      [],
    );
  } finally {
    for (const { runner } of live.values()) await runner.close();
    await Deno.remove(logsDir, { recursive: true });
  }
});

Deno.test("metrics' join through a 60 s model outage and a full disk, at N observations", async (t) => {
  const node = await startRabbitNode();
  try {
    await t.step("the model down for 60 s while the source publishes N unthrottled", async () => {
      console.log(await modelOutage(node, { n: N, outageMs: 60_000, targetMs: 30_000 }));
    });
    await t.step("LOGS_DIR on a 300 KB tmpfs, enlarged once full", async () => {
      console.log(await diskFull(node, { n: N }));
    });
  } finally {
    await node.close();
  }
});
