/**
 * Stage 3: latency at a fixed offered load. The source cannot offer a set
 * rate (FEATURES_INTERVAL_MS pauses whole milliseconds between ticks of one
 * worker, so 500/s is out of reach), so the bench publishes itself at the
 * rate, exactly what the source publishes (the same envelopes, properties
 * and confirms), to model, metrics and plot running as processes. Latency is
 * from the publish to the row's durable write: metrics' `row written` debug
 * record where it logs one, otherwise the first poll of the CSV that saw the
 * row (coarser: the poll interval is added).
 *
 * @module
 */
import { join } from "node:path";
import { v7 } from "uuid";
import { delay } from "../shared/runtime/backoff.ts";
import { encodeMessage } from "../shared/runtime/codec.ts";
import { loadDiabetes } from "../functions/_load_diabetes.ts";
import { deletePipelineQueues, openPublisher } from "./_amqp.ts";
import { type Child, readProcessMemory, spawnChild, stopAll } from "./_child.ts";
import { CsvWatcher } from "./_csv_watcher.ts";
import { type Percentiles, percentiles } from "./percentiles.ts";
import { childEnv, type ChildMemory, started } from "./pipeline_run.ts";
import type { FEATURES_X, FEATURES_Y_TRUE } from "../functions/_streams.ts";

/** Options of {@linkcode measureLatency}. */
export interface MeasureLatencyOptions {
  /** Seconds published first and left out of the figures. @default 2 */
  warmupSeconds?: number;
  /** How often the CSV is polled when metrics logs no `row written`. @default 2 */
  pollMs?: number;
  /** Extra environment for the functions, e.g. to try a setting. @default {} */
  env?: Record<string, string>;
}

/** What {@linkcode measureLatency} found. */
export interface LatencyResult {
  readonly offeredPerSecond: number;
  /** What the publisher achieved over the measured window. */
  readonly publishedPerSecond: number;
  readonly seconds: number;
  readonly observations: number;
  /** "metrics log" (row written records) or "csv poll". */
  readonly source: "metrics log" | "csv poll";
  readonly latencyMs: Percentiles;
  /** The same from the CSV polls, a cross-check that adds up to the poll interval. */
  readonly csvPollMs: Percentiles;
  /** Memory of model, metrics and plot at the end of the steady load. */
  readonly memory: readonly ChildMemory[];
}

/** Offers `rate` observations a second for `seconds` and measures publish-to-row latency. */
export async function measureLatency(
  url: string,
  rate: number,
  seconds: number,
  options: MeasureLatencyOptions = {},
): Promise<LatencyResult> {
  const warmup = options.warmupSeconds ?? 2;
  const logsDir = `./logs/bench-${Deno.pid}-${Date.now()}`;
  const env = { ...childEnv(url, logsDir), LOG_LEVEL: "debug", ...options.env };
  const children: Child[] = [];
  await deletePipelineQueues(url);
  const output = await openPublisher(url, 4096);
  try {
    for (const name of ["model", "metrics", "plot"] as const) {
      children.push(await spawnChild(name, env));
    }
    await Promise.all(children.map(started));
    const watcher = new CsvWatcher(join(logsDir, "metric_log.csv"), { trackIds: true });
    const rows = await loadDiabetes("./data");
    const warmupCount = Math.floor(rate * warmup);
    // Id -> publish time, of the observations after the warm-up.
    const published = new Map<string, number>();
    const publishing = pace(rate, warmup + seconds, (i) => {
      const { features, target } = rows[i % rows.length]!;
      const id = v7();
      const timestamp = Date.now();
      if (i >= warmupCount) published.set(id, timestamp);
      output.publisher.publish(
        "features/X",
        "",
        encodeMessage<typeof FEATURES_X>(id, features, timestamp),
      );
      output.publisher.publish(
        "features/Y_true",
        "",
        encodeMessage<typeof FEATURES_Y_TRUE>(id, { y_true: target }, timestamp),
      );
    });
    // Polled while publishing, so a row's time is known within the poll interval.
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await watcher.poll();
        await delay(options.pollMs ?? 2);
      }
    })();
    const { sent, elapsedMs } = await publishing;
    await output.publisher.settled();
    const memory = await Promise.all(
      children.map(async (child) => ({ name: child.name, ...await readProcessMemory(child.pid) })),
    );
    try {
      await watcher.waitForRows(sent, 30_000, options.pollMs ?? 2);
    } finally {
      polling = false;
      await poller;
    }
    if (output.publisher.failed > 0) {
      throw new Error(`Cannot measure latency: ${output.publisher.failed} publishes failed`);
    }
    const metrics = children.find((child) => child.name === "metrics")!;
    const polled = pollLatencies(watcher, published);
    const logged = loggedLatencies(metrics, published);
    const measured = sent - warmupCount;
    return {
      offeredPerSecond: rate,
      publishedPerSecond: measured / (elapsedMs / 1000 - warmup),
      seconds,
      observations: measured,
      source: logged.length > 0 ? "metrics log" : "csv poll",
      latencyMs: percentiles(logged.length > 0 ? logged : polled),
      csvPollMs: percentiles(polled),
      memory,
    };
  } finally {
    await output.close();
    await stopAll(children);
    await deletePipelineQueues(url);
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
}

/** Calls `send(i)` so that `rate` calls a second happen for `seconds`, catching up after a stall. */
async function pace(
  rate: number,
  seconds: number,
  send: (i: number) => void,
): Promise<{ sent: number; elapsedMs: number }> {
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / 1000 * rate) + 1);
    while (sent < due) send(sent++);
    await delay(1);
  }
  return { sent, elapsedMs: performance.now() - start };
}

/** Latencies metrics logged (`row written`, debug level) for the measured ids. */
function loggedLatencies(metrics: Child, published: ReadonlyMap<string, number>): number[] {
  return metrics.logs
    .filter((r) => r.event === "row written" && "latencyMs" in r && published.has(String(r.id)))
    .map((r) => Number(r.latencyMs));
}

/** Latencies from the first poll that saw each measured id's row. */
function pollLatencies(watcher: CsvWatcher, published: ReadonlyMap<string, number>): number[] {
  const latencies: number[] = [];
  for (const [id, at] of published) {
    const seen = watcher.seen.get(id);
    if (seen !== undefined) latencies.push(seen - at);
  }
  return latencies;
}
