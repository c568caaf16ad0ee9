/**
 * `deno task bench`: measures the pipeline against the broker's ceiling in
 * one run, prints a table with the targets beside the figures, and writes
 * everything to bench/results/<date>.json. See bench/README.md.
 *
 * Flags: `--quick` (about a minute, for CI), `--n` (observations per
 * pipeline run), `--duration` (seconds of the latency stage), `--rate`
 * (its offered obs/s), `--pending` (ids for the memory stage), `--stages`
 * (comma-separated subset), `--profile` (CPU profiles of stage 2's
 * processes). `AMQP_URL` uses that broker instead of a private node; the
 * bench deletes the pipeline's queues there between stages.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- an entry point that reports to the terminal
import { join } from "node:path";
import { startRabbitNode } from "../shared/testing/rabbit_node.ts";
import { parseBenchArgs } from "./bench_args.ts";
import { type BenchArgs, type Stage, STAGES } from "./bench_args.ts";
import { measureCeiling } from "./ceiling.ts";
import { compareCluster } from "./cluster_run.ts";
import { measureColdStarts } from "./cold_start.ts";
import { runEmbedded } from "./embedded_run.ts";
import { measureLatency } from "./latency.ts";
import { measureLivePage } from "./live_page.ts";
import { machineInfo } from "./machine_info.ts";
import { measureMetricsMemory } from "./metrics_memory.ts";
import { type PipelineRunResult, runPipeline } from "./pipeline_run.ts";
import { measurePlotRefresh } from "./plot_refresh.ts";
import { measurePlotRender } from "./plot_render.ts";
import { type BenchResult, formatTable, TARGETS } from "./report.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

async function runStages(
  url: string | undefined,
  args: BenchArgs,
  brokerPid: number | undefined,
): Promise<BenchResult> {
  const load: Record<string, [number, number]> = {};
  const result: Mutable<BenchResult> = { failures: {}, load };
  const stage = async (name: Stage, run: () => Promise<void>) => {
    if (!args.stages.includes(name)) return;
    const started = performance.now();
    const loadBefore = load1();
    console.error(`• ${name}...`);
    try {
      await run();
    } catch (error) {
      result.failures[name] = error instanceof Error ? error.message : String(error);
      console.error(`  ${name} failed: ${result.failures[name]}`);
    }
    const seconds = (performance.now() - started) / 1000;
    load[name] = [loadBefore, load1()];
    console.error(
      `  ${name} took ${seconds.toFixed(1)} s, load average ${loadBefore} → ${load1()}`,
    );
  };
  const broker = () => {
    if (url === undefined) throw new Error("No broker: the private node did not start");
    return url;
  };
  // Other load on the machine moves both figures a lot from minute to minute,
  // so they are measured in turns (ceiling, pipeline, ceiling, pipeline...)
  // and the best of each is kept: the ratio compares like with like.
  const ceilings: number[] = [];
  const measureOneCeiling = async () => {
    const ceiling = await measureCeiling(broker(), args.ceilingMessages);
    ceilings.push(ceiling.messagesPerSecond);
    if (ceiling.messagesPerSecond >= (result.ceiling?.messagesPerSecond ?? 0)) {
      result.ceiling = ceiling;
    }
  };
  await stage("ceiling", measureOneCeiling);
  await stage("pipeline", async () => {
    const runs = [];
    for (let round = 0; round < args.rounds; round++) {
      if (round > 0 && args.stages.includes("ceiling")) await measureOneCeiling();
      const run = await runPipeline(broker(), args.n, {
        profile: args.profile && round === 0,
        ...(brokerPid === undefined ? {} : { brokerPid }),
      });
      runs.push(run);
      for (const [name, lines] of Object.entries(run.profiles ?? {})) {
        console.error(`  CPU profile of ${name}:\n    ${lines.join("\n    ")}`);
      }
    }
    const best = runs.reduce((a, b) => b.observationsPerSecond > a.observationsPerSecond ? b : a);
    const ratio = result.ceiling &&
      3 * best.observationsPerSecond / result.ceiling.messagesPerSecond;
    result.pipeline = {
      ...best,
      rounds: runs.map((run) => run.observationsPerSecond),
      ...(ratio === undefined ? {} : { ratio }),
    };
  });
  if (result.ceiling) result.ceiling = { ...result.ceiling, rounds: ceilings };
  await stage("latency", async () => {
    result.latency = await measureLatency(broker(), args.rate, args.duration, {
      warmupSeconds: args.warmupSeconds,
    });
  });
  await stage("scale-out", async () => {
    const runs = [];
    for (const models of [1, 2, 4]) {
      runs.push(await runPipeline(broker(), args.scaleOutN, { models, modelDelayMs: 5 }));
    }
    result.scaleOut = { runs };
  });
  await stage("memory", async () => {
    result.metricsMemory = await measureMetricsMemory(broker(), args.pending);
    // Fewer halves held than sent is a failure of the stage, not a figure.
    const { pendingHeld, pendingTarget } = result.metricsMemory;
    if (pendingHeld < pendingTarget) {
      throw new Error(`metrics held ${pendingHeld} of the ${pendingTarget} halves sent`);
    }
  });
  await stage("plot", async () => {
    const plot = [];
    for (const rows of args.plotRows) plot.push(await measurePlotRefresh(rows));
    result.plot = plot;
    result.plotRender = await measurePlotRender();
  });
  await stage("embedded", async () => {
    result.embedded = await runEmbedded(args.n);
  });
  await stage("live", async () => {
    result.live = await measureLivePage(args.liveRows);
  });
  await stage("cluster", async () => {
    result.cluster = await compareCluster(broker(), args.n, args.rounds);
  });
  // The price of a challenger: the same run without and with one, in turns.
  await stage("challenger", async () => {
    const runs = { champion: [] as PipelineRunResult[], challenger: [] as PipelineRunResult[] };
    for (let round = 0; round < args.rounds; round++) {
      runs.champion.push(await runPipeline(broker(), args.n));
      runs.challenger.push(await runPipeline(broker(), args.n, { challengers: ["forest"] }));
    }
    result.challenger = {
      champion: lowestCpu(runs.champion),
      challenger: lowestCpu(runs.challenger),
    };
  });
  await stage("cold-start", async () => {
    result.coldStarts = await measureColdStarts(broker(), args.coldStarts);
    // The others' figures are kept; a function that saw no first message fails the stage.
    const failed = result.coldStarts.filter((start) => start.failure !== undefined);
    if (failed.length > 0) {
      throw new Error(failed.map(({ name, failure }) => `${name}: ${failure}`).join("; "));
    }
  });
  return result;
}

/** The run whose functions used the least CPU per observation: the least disturbed. */
function lowestCpu(runs: PipelineRunResult[]): PipelineRunResult {
  const total = (run: PipelineRunResult) =>
    Object.entries(run.cpuMsPerObservation)
      .filter(([name]) => name !== "broker")
      .reduce((sum, [, ms]) => sum + ms, 0);
  return runs.reduce((a, b) => total(b) < total(a) ? b : a);
}

/** The 1-minute load average: other work on the machine lowers every figure. */
function load1(): number {
  return Math.round(Deno.loadavg()[0]! * 100) / 100;
}

async function main(): Promise<number> {
  const args = parseBenchArgs(Deno.args);
  const started = performance.now();
  const loadBefore = load1();
  if (loadBefore > 0.5) {
    console.error(
      `Warning: the machine is busy (load average ${loadBefore}): the figures will be low and noisy`,
    );
  }
  const externalUrl = Deno.env.get("AMQP_URL")?.trim() || undefined;
  const needsBroker = args.stages.some((s) => !["plot", "embedded", "live"].includes(s));
  const node = externalUrl === undefined && needsBroker
    ? await startRabbitNode({ namePrefix: "bench" })
    : undefined;
  let result: BenchResult;
  let rabbitmq: string | undefined;
  try {
    rabbitmq = (await node?.ctl("version"))?.trim();
    result = await runStages(externalUrl ?? node?.url, args, await node?.pid());
  } finally {
    await node?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const machine = machineInfo();
  const load = `load average ${loadBefore} before, ${load1()} after`;
  const table = formatTable(result);
  const command = `deno task bench ${Deno.args.join(" ")}`.trim();
  console.log(
    `\n${table}\n\n${command} — ${machine.nproc} × ${machine.cpuModel}, ${machine.memGiB} GiB, ` +
      `Deno ${Deno.version.deno}, RabbitMQ ${rabbitmq ?? "(AMQP_URL)"}; ${
        seconds.toFixed(0)
      } s; ${load}\n`,
  );
  const date = new Date().toISOString().slice(0, 10);
  // A run of some stages only is named after them: `<date>.json` stays a full run's.
  const some = args.stages.length < STAGES.length ? `-${args.stages.join("+")}` : "";
  const file = join(
    import.meta.dirname!,
    "results",
    `${date}${some}${args.quick ? "-quick" : ""}.json`,
  );
  await Deno.mkdir(join(import.meta.dirname!, "results"), { recursive: true });
  await Deno.writeTextFile(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        command,
        args,
        broker: externalUrl === undefined ? `private node (RabbitMQ ${rabbitmq})` : "AMQP_URL",
        machine: { ...machine, deno: Deno.version.deno },
        load,
        seconds,
        targets: TARGETS,
        table,
        result,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`Written to ${file}`);
  return Object.keys(result.failures).length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
