/**
 * Stage 6: the metrics function's memory while many ids wait for their
 * partner. Halves that never pair are published straight to its two
 * streams; each is journaled and acked, so the number waiting is bounded by
 * `METRICS_PENDING_MAX` and the disk, not by the prefetch (left at its
 * default). Half the ids come as Y_true and half as Y_pred, with distinct
 * ids: every id waits alone either way.
 *
 * @module
 */
import { v7 } from "uuid";
import { delay } from "../shared/runtime/backoff.ts";
import { encodeMessage } from "../shared/runtime/codec.ts";
import { deletePipelineQueues, openPublisher } from "./_amqp.ts";
import { type Child, type ProcessMemory, readProcessMemory, spawnChild } from "./_child.ts";
import { childEnv, started } from "./pipeline_run.ts";
import type { FEATURES_Y_TRUE, PREDICTIONS_Y_PRED } from "../functions/_streams.ts";
import { DEFAULT_CHAMPION } from "../functions/_settings.ts";

/** Options of {@linkcode measureMetricsMemory}. */
export interface MeasureMetricsMemoryOptions {
  /** Give up waiting for the ids to be held after this long. @default 90000 */
  timeoutMs?: number;
}

/** What {@linkcode measureMetricsMemory} found. */
export interface MetricsMemoryResult {
  readonly pendingTarget: number;
  /** What the metrics function reported waiting at the end. */
  readonly pendingHeld: number;
  readonly prefetch: number;
  /** Before anything was published. */
  readonly idle: ProcessMemory;
  /** With the ids held; `peakBytes` is VmHWM over the whole run. */
  readonly loaded: ProcessMemory;
}

/** Publishes `pending` unpaired halves to a lone metrics process and reads its memory. */
export async function measureMetricsMemory(
  url: string,
  pending: number,
  options: MeasureMetricsMemoryOptions = {},
): Promise<MetricsMemoryResult> {
  const perStream = Math.ceil(pending / 2);
  const prefetch = 200;
  const logsDir = `./logs/bench-${Deno.pid}-${Date.now()}`;
  const env = {
    ...childEnv(url, logsDir),
    PREFETCH: String(prefetch),
    METRICS_PENDING_MAX: String(pending * 2),
    METRICS_ORPHAN_AFTER_MS: String(3_600_000),
  };
  let metrics: Child | undefined;
  await deletePipelineQueues(url);
  const output = await openPublisher(url, 2048);
  try {
    metrics = await spawnChild("metrics", env);
    await started(metrics);
    await delay(500);
    const idle = await readProcessMemory(metrics.pid);
    const timestamp = Date.now();
    for (let i = 0; i < perStream; i++) {
      await output.publisher.publish(
        "features/Y_true",
        "",
        encodeMessage<typeof FEATURES_Y_TRUE>(v7(), { y_true: 100 + (i % 200) }, timestamp),
      );
      await output.publisher.publish(
        "predictions/Y_pred",
        "",
        encodeMessage<typeof PREDICTIONS_Y_PRED>(v7(), {
          y_pred: 100 + (i % 150),
          model: { name: DEFAULT_CHAMPION, version: "1" },
        }, timestamp),
      );
    }
    await output.publisher.settled();
    if (output.publisher.failed > 0) {
      throw new Error(`Cannot measure memory: ${output.publisher.failed} publishes failed`);
    }
    const pendingHeld = await waitForPending(metrics, perStream * 2, options.timeoutMs ?? 90_000);
    const loaded = await readProcessMemory(metrics.pid);
    return { pendingTarget: perStream * 2, pendingHeld, prefetch, idle, loaded };
  } finally {
    await output.close();
    await metrics?.stop();
    await deletePipelineQueues(url);
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
}

/** Waits for metrics' status line (every 5 s) to report `count` waiting; returns the last count. */
async function waitForPending(metrics: Child, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  let seen = 0;
  while (Date.now() < deadline) {
    const lines = metrics.logs.filter((r) => r.event === "waiting");
    for (const line of lines.slice(seen)) last = Number(line.pending);
    seen = lines.length;
    if (last >= count) return last;
    await delay(100);
  }
  return last;
}
