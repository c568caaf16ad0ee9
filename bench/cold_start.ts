/**
 * Stage 10: cold start, per function: from spawning the process (its
 * dependencies already cached by `deno install`) to its first message
 * handled, as a scale-from-zero pays it. The work waits before the start:
 * model's and metrics' queues hold a message, features publishes its first
 * observation, plot finds a CSV to draw. Handled means its effect is seen:
 * a prediction on `predictions/Y_pred`, a row in the CSV, an observation on
 * `features/X`, the PNG on disk.
 *
 * @module
 */
import { join } from "node:path";
import { connect, type ConsumeMessage } from "amqplib";
import { v7 } from "uuid";
import { loadDiabetes } from "../functions/_load_diabetes.ts";
import { delay } from "../shared/runtime/backoff.ts";
import { encodeMessage } from "../shared/runtime/codec.ts";
import { declareFunctionQueue, deletePipelineQueues, openPublisher } from "./_amqp.ts";
import { type Child, logTime, spawnChild } from "./_child.ts";
import { childEnv, started } from "./pipeline_run.ts";
import { DEFAULT_CHAMPION } from "../functions/_settings.ts";

/** One function's cold starts, in ms from spawn. */
export interface ColdStartResult {
  readonly name: string;
  /** To its "function started" log line, per round. */
  readonly startedMs: readonly number[];
  /** To its first message handled, per round. */
  readonly handledMs: readonly number[];
  /** Why a round failed (the rounds after it are skipped). */
  readonly failure?: string;
}

const FUNCTIONS: readonly string[] = ["features", "model", "metrics", "plot"];

/** Starts each function `rounds` times on an idle broker and times its first message. */
export async function measureColdStarts(url: string, rounds: number): Promise<ColdStartResult[]> {
  const results: ColdStartResult[] = [];
  for (const name of FUNCTIONS) {
    const startedMs: number[] = [], handledMs: number[] = [];
    let failure: string | undefined;
    try {
      for (let round = 0; round < rounds; round++) {
        const { started, handled } = await coldStart(url, name);
        startedMs.push(started);
        handledMs.push(handled);
      }
    } catch (error) {
      // One function's failure (plot without canvas's addon) leaves the others' figures.
      failure = error instanceof Error ? error.message : String(error);
    }
    results.push({ name, startedMs, handledMs, ...(failure === undefined ? {} : { failure }) });
  }
  return results;
}

/** The middle value (the lower of the two middle ones). */
export function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function coldStart(url: string, name: string) {
  const logsDir = `./logs/bench-cold-${Deno.pid}-${Date.now()}`;
  await Deno.mkdir(logsDir, { recursive: true });
  await deletePipelineQueues(url);
  const broker = await connect(url.split(",")[0]!);
  let child: Child | undefined;
  const stop = new AbortController();
  try {
    const channel = await broker.createChannel();
    const seen = (stream: string) => firstOn(channel, stream);
    let effect: () => Promise<number>;
    if (name === "features") {
      effect = await seen("features/X");
      await seen("features/Y_true"); // Both streams need a queue, or the source waits.
    } else if (name === "model") {
      effect = await seen("predictions/Y_pred");
      await waiting(url, channel, "model");
    } else if (name === "metrics") {
      const path = join(logsDir, "metric_log.csv");
      effect = () => fileGrows(path, "id,y_true,y_pred,error\n".length, stop.signal);
      await waiting(url, channel, "metrics");
    } else {
      await Deno.writeTextFile(join(logsDir, "metric_log.csv"), csv(200));
      const path = join(logsDir, "error_distribution.png");
      effect = () => fileGrows(path, 0, stop.signal);
    }
    // Includes computing the sandbox's flags (loading the function module), as a
    // container's start does before its `deno run`.
    const spawnedAt = Date.now();
    child = await spawnChild(name, {
      ...childEnv(url, logsDir),
      FEATURES_LIMIT: "1",
      FEATURES_INTERVAL_MS: "0",
      PLOT_INTERVAL_MS: "60000",
    });
    // An error line (a tick that failed, a broker refused) ends the wait at once.
    const failed = child.waitForLog("a failure", (r) => r.level === "error", {
      timeoutMs: 30_000,
    }).then((r) => {
      throw new Error(`${name} logged "${r.event}": ${JSON.stringify(r.error ?? "")}`);
    }, () => new Promise<never>(() => {}));
    failed.catch(() => {});
    const handled = await Promise.race([effect(), failed, deadline(30_000, stop.signal)]);
    return {
      started: logTime(await started(child)) - spawnedAt,
      handled: handled - spawnedAt,
    };
  } finally {
    stop.abort();
    await child?.stop();
    await broker.close();
    await deletePipelineQueues(url);
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
}

/** Declares a group's queue as its runtime will and puts one message in it (both halves for metrics). */
async function waiting(
  url: string,
  channel: Awaited<ReturnType<Awaited<ReturnType<typeof connect>>["createChannel"]>>,
  group: "model" | "metrics",
): Promise<void> {
  await declareFunctionQueue(channel, group);
  const [row] = await loadDiabetes("./data");
  const id = v7();
  const output = await openPublisher(url.split(",")[0]!, 4);
  try {
    const now = Date.now();
    if (group === "model") {
      await output.publisher.publish("features/X", "", encodeMessage(id, row!.features, now));
    } else {
      await output.publisher.publish(
        "features/Y_true",
        "",
        encodeMessage(id, { y_true: 151 }, now),
      );
      await output.publisher.publish(
        "predictions/Y_pred",
        "",
        encodeMessage(id, { y_pred: 150, model: { name: DEFAULT_CHAMPION, version: "1" } }, now),
      );
    }
    await output.publisher.settled();
    if (output.publisher.failed > 0) throw new Error("Cannot queue the cold start's message");
  } finally {
    await output.close();
  }
}

/**
 * Binds a queue of our own to `stream`; the function returned resolves with the
 * time its first message arrived.
 */
async function firstOn(
  channel: Awaited<ReturnType<Awaited<ReturnType<typeof connect>>["createChannel"]>>,
  stream: string,
): Promise<() => Promise<number>> {
  await channel.assertExchange(stream, "fanout", { durable: true });
  const { queue } = await channel.assertQueue("", { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, stream, "");
  const first = Promise.withResolvers<number>();
  await channel.consume(queue, (message: ConsumeMessage | null) => {
    if (message !== null) first.resolve(Date.now());
  }, { noAck: true });
  return () => first.promise;
}

/** Resolves with the time the file first exceeds `size` bytes; stops polling on abort. */
async function fileGrows(path: string, size: number, signal: AbortSignal): Promise<number> {
  while (!signal.aborted) {
    const current = await Deno.stat(path).then((info) => info.size, () => -1);
    if (current > size) return Date.now();
    await delay(5);
  }
  return NaN;
}

/** Rejects after `ms` unless aborted first. */
async function deadline(ms: number, signal: AbortSignal): Promise<never> {
  await delay(ms, signal).catch(() => {});
  if (!signal.aborted) throw new Error(`Cannot see a first message within ${ms} ms`);
  return await new Promise<never>(() => {});
}

function csv(rows: number): string {
  const lines = ["id,y_true,y_pred,error"];
  for (let i = 0; i < rows; i++) {
    const [t, p] = [100 + (i % 90), 110 + (i % 70)];
    lines.push(`${v7()},${t},${p},${Math.abs(t - p)}`);
  }
  return lines.join("\n") + "\n";
}
