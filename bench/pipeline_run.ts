/**
 * Stages 2 and 4: the four functions as separate processes on RabbitMQ, the
 * source unthrottled, timed from the source's start (its first publish) to
 * the N-th row of the metric log. With `models` > 1, that many model
 * processes share `features/X` as competing consumers.
 *
 * @module
 */
import { join } from "node:path";
import { deletePipelineQueues } from "./_amqp.ts";
import {
  type Child,
  logTime,
  type ProcessMemory,
  readCpuSeconds,
  readProcessMemory,
  spawnChild,
  stopAll,
} from "./_child.ts";
import { CsvWatcher } from "./_csv_watcher.ts";
import type { ModelKind } from "../functions/model/model.ts";
import { type CpuProfiler, profileChildren } from "./_cpu_profile.ts";

/** Options of {@linkcode runPipeline}. */
export interface RunPipelineOptions {
  /** Model processes. @default 1 */
  models?: number;
  /** `MODEL_DELAY_MS`. @default 0 */
  modelDelayMs?: number;
  /** Extra environment for every function. @default {} */
  env?: Record<string, string>;
  /** Extra environment for the model processes only. @default {} */
  modelEnv?: Record<string, string>;
  /** Give up after this long. @default 120000 */
  timeoutMs?: number;
  /** Take a CPU profile of every child and summarise it. @default false */
  profile?: boolean;
  /** The broker's PID, to count its CPU time too. @default not counted */
  brokerPid?: number;
  /** Runs plot too (it reads the CSV and uses no broker). @default true */
  plot?: boolean;
  /**
   * Models compared with the champion: one more model process each
   * (`MODEL=<name>`, consumer group `model-<name>`, counted as `model-<name>`),
   * and `CHALLENGERS` for metrics and plot. @default none
   */
  challengers?: readonly ModelKind[];
}

/** Memory of one child at the end of a run. */
export interface ChildMemory extends ProcessMemory {
  readonly name: string;
}

/** What {@linkcode runPipeline} found. */
export interface PipelineRunResult {
  readonly observations: number;
  readonly models: number;
  readonly modelDelayMs: number;
  readonly seconds: number;
  readonly observationsPerSecond: number;
  readonly memory: readonly ChildMemory[];
  /**
   * CPU time (user + system) per observation in ms, by function (replicas added up) and
   * `broker`, from the source's start to the last row: a figure the machine's other load
   * moves far less than throughput.
   */
  readonly cpuMsPerObservation: Record<string, number>;
  /** Per child, its hottest functions by self time (only with `profile`). */
  readonly profiles?: Record<string, string[]>;
}

/** Environment every child gets. */
export function childEnv(url: string, logsDir: string): Record<string, string> {
  return {
    AMQP_URL: url,
    LOGS_DIR: logsDir,
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    LOG_LEVEL: "info",
  };
}

/** Runs the pipeline on a fresh set of queues until `observations` rows are written. */
export async function runPipeline(
  url: string,
  observations: number,
  options: RunPipelineOptions = {},
): Promise<PipelineRunResult> {
  const models = options.models ?? 1;
  const modelDelayMs = options.modelDelayMs ?? 0;
  const logsDir = `./logs/bench-${Deno.pid}-${Date.now()}`;
  const challengers = options.challengers ?? [];
  const env = {
    ...childEnv(url, logsDir),
    FEATURES_INTERVAL_MS: "0",
    FEATURES_LIMIT: String(observations),
    FEATURES_SEED: "1",
    MODEL_DELAY_MS: String(modelDelayMs),
    CHALLENGERS: challengers.join(","),
    ...options.env,
  };
  const spawnFlags = options.profile ? { denoFlags: ["--inspect=127.0.0.1:0"] } : {};
  const children: Child[] = [];
  let profiler: CpuProfiler | undefined;
  await deletePipelineQueues(url);
  try {
    // [function, what its CPU is counted as, its own environment]
    const consumers: (readonly [string, string, Record<string, string>])[] = [
      ...Array.from({ length: models }, () => ["model", "model", options.modelEnv ?? {}] as const),
      ...challengers.map((name) =>
        ["model", `model-${name}`, { MODEL: name, CONSUMER_GROUP: `model-${name}` }] as const
      ),
      ["metrics", "metrics", {}],
      ...(options.plot ?? true ? [["plot", "plot", {}] as const] : []),
    ];
    const counted: string[] = [];
    for (const [name, as, own] of consumers) {
      children.push(await spawnChild(name, { ...env, ...own }, spawnFlags));
      counted.push(as);
    }
    // Consumers first: their queues exist before the source's first publish.
    await Promise.all(children.map(started));
    const cpu = new CpuMeter(options.brokerPid);
    for (const [i, child] of children.entries()) await cpu.start(counted[i]!, child.pid);
    const features = await spawnChild("features", env, spawnFlags);
    children.push(features);
    if (options.profile) profiler = await profileChildren(children);
    const watcher = new CsvWatcher(join(logsDir, "metric_log.csv"));
    const first = logTime(await started(features));
    // From its start, like the others: loading its code is a cost per process, not per
    // observation.
    await cpu.start("features", features.pid);
    const last = await watcher.waitForRows(observations, options.timeoutMs ?? 120_000);
    const cpuMsPerObservation = await cpu.msPer(observations);
    const profiles = await profiler?.stop();
    const memory = await Promise.all(
      children.map(async (child) => ({ name: child.name, ...await readProcessMemory(child.pid) })),
    );
    const seconds = (last - first) / 1000;
    return {
      observations,
      models,
      modelDelayMs,
      seconds,
      observationsPerSecond: observations / seconds,
      memory,
      cpuMsPerObservation,
      ...(profiles === undefined ? {} : { profiles }),
    };
  } finally {
    await profiler?.close();
    await stopAll(children);
    await deletePipelineQueues(url);
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
}

/** Resolves with a child's "function started" record. */
export function started(child: Child) {
  return child.waitForLog("function started", (r) => r.event === "function started", {
    timeoutMs: 30_000,
  });
}

/** CPU time of several processes between their start mark and now, by name. */
class CpuMeter {
  readonly #marks: { name: string; pid: number; from: number }[] = [];

  constructor(brokerPid: number | undefined) {
    if (brokerPid !== undefined) this.#marks.push({ name: "broker", pid: brokerPid, from: NaN });
  }

  /** Marks where `pid` starts counting: now. */
  async start(name: string, pid: number): Promise<void> {
    for (const mark of this.#marks) {
      if (Number.isNaN(mark.from)) mark.from = await readCpuSeconds(mark.pid);
    }
    this.#marks.push({ name, pid, from: await readCpuSeconds(pid) });
  }

  /** Milliseconds of CPU per observation since each mark, replicas of one name added up. */
  async msPer(observations: number): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const { name, pid, from } of this.#marks) {
      const used = await readCpuSeconds(pid) - from;
      totals[name] = (totals[name] ?? 0) + used * 1000 / observations;
    }
    return totals;
  }
}
