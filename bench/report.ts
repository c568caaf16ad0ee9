/**
 * The bench's result as one object, its targets, and the table printed and
 * kept in bench/README.md.
 *
 * @module
 */
import type { CeilingResult } from "./ceiling.ts";
import type { ClusterResult } from "./cluster_run.ts";
import { type ColdStartResult, median } from "./cold_start.ts";
import type { EmbeddedRunResult } from "./embedded_run.ts";
import type { LatencyResult } from "./latency.ts";
import type { LivePageResult } from "./live_page.ts";
import type { MetricsMemoryResult } from "./metrics_memory.ts";
import type { PipelineRunResult } from "./pipeline_run.ts";
import type { PlotRefreshResult } from "./plot_refresh.ts";
import type { PlotRenderResult } from "./plot_render.ts";

/** The targets on our 2-core machine; reported beside the figures, never tuned. */
export const TARGETS = {
  /** 3 × pipeline obs/s over the ceiling's messages/s. */
  minRatio: 0.6,
  /** CPU of the four functions per observation, in ms. */
  maxCpuMsPerObservation: 0.25,
  maxP99Ms: 50,
  /** The offered load the p99 target is for, in obs/s. */
  latencyRate: 500,
  /** Throughput of 4 models over 1, MODEL_DELAY_MS=5. */
  minSpeedUp4: 3,
  /** Refresh of a 1 000 000-row log after 1 000 new rows. */
  maxPlotRefreshMs: 300,
  /** The live page's load with 1 000 000 rows, in the browser. */
  maxLivePageLoadMs: 1000,
  /** 1 000 new rows to the live page's drawing of them, with 1 000 000 rows. */
  maxLivePageUpdateMs: 300,
  maxMetricsRssBytes: 200 * 1024 * 1024,
  /** Median cold start (spawn to first message handled) of every function. */
  maxColdStartMs: 1000,
  /** The pending ids the RSS target is for. */
  metricsPending: 100_000,
} as const;

/** Every stage's result; a stage that was skipped or failed is absent. */
export interface BenchResult {
  /** The best round; `rounds` has every round's messages/s. */
  readonly ceiling?: CeilingResult & { readonly rounds?: readonly number[] };
  /** The best round; `rounds` has every round's observations/s. */
  readonly pipeline?: PipelineRunResult & {
    readonly ratio?: number;
    readonly rounds?: readonly number[];
  };
  readonly latency?: LatencyResult;
  readonly scaleOut?: {
    readonly runs: readonly PipelineRunResult[];
  };
  readonly plot?: readonly PlotRefreshResult[];
  readonly plotRender?: PlotRenderResult;
  readonly metricsMemory?: MetricsMemoryResult;
  readonly embedded?: EmbeddedRunResult;
  readonly live?: LivePageResult;
  readonly cluster?: ClusterResult;
  readonly coldStarts?: readonly ColdStartResult[];
  /** The same pipeline run without and with a challenger (forest). */
  readonly challenger?: {
    readonly champion: PipelineRunResult;
    readonly challenger: PipelineRunResult;
  };
  /** Stage name -> error message. */
  readonly failures: Record<string, string>;
  /** Stage name -> 1-minute load average at its start and end. */
  readonly load?: Record<string, [number, number]>;
}

type Row = [stage: string, measured: string, target: string, verdict: string];

/** The Markdown table of a result. */
export function formatTable(result: BenchResult): string {
  const rows: Row[] = [
    ...ceilingRows(result),
    ...latencyRows(result),
    ...scaleOutRows(result),
    ...plotRows(result),
    ...memoryRows(result),
  ];
  if (result.embedded) {
    const e = result.embedded;
    rows.push([
      "7 Embedded broker, 4 functions in 1 process",
      `${int(e.observationsPerSecond)} obs/s (${int(e.observations)} obs)`,
      "",
      "",
    ]);
  }
  rows.push(...liveRows(result));
  rows.push(...clusterRows(result));
  rows.push(...challengerRows(result));
  for (const [stage, message] of Object.entries(result.failures)) {
    rows.push([stage, `FAILED: ${message.replaceAll("|", "/").split("\n")[0]}`, "", ""]);
  }
  const header: Row = ["Stage", "Measured", "Target", ""];
  return [header, ["---", "---", "---", "---"], ...rows]
    .map((row) => `| ${row.join(" | ")} |`).join("\n");
}

function challengerRows({ challenger }: BenchResult): Row[] {
  if (!challenger) return [];
  const cpu = (run: PipelineRunResult) =>
    Object.entries(run.cpuMsPerObservation)
      .filter(([name]) => name !== "broker")
      .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
      .join(", ");
  const metrics = (run: PipelineRunResult) => run.cpuMsPerObservation.metrics ?? NaN;
  const ratio = metrics(challenger.challenger) / metrics(challenger.champion);
  return [[
    `11 Challenger: the pipeline without and with a forest challenger (${
      int(challenger.champion.observations)
    } obs, CPU ms per observation)`,
    `without: ${cpu(challenger.champion)}, ${
      int(challenger.champion.observationsPerSecond)
    } obs/s; with: ${cpu(challenger.challenger)}, ${
      int(challenger.challenger.observationsPerSecond)
    } obs/s; metrics ×${ratio.toFixed(2)}`,
    "",
    "",
  ]];
}

function clusterRows({ cluster, coldStarts }: BenchResult): Row[] {
  const rows: Row[] = [];
  if (cluster) {
    rows.push([
      `9 Cluster: the pipeline on 3 nodes (quorum queues ×3) vs 1 node, same run (${
        int(cluster.observations)
      } obs)`,
      `3 nodes ${int(cluster.cluster.observationsPerSecond)} obs/s${
        rounds(cluster.cluster.rounds)
      }; 1 node ${int(cluster.single.observationsPerSecond)} obs/s${
        rounds(cluster.single.rounds)
      }; ratio ${cluster.ratio.toFixed(2)}`,
      "",
      "",
    ]);
  }
  if (coldStarts && coldStarts.length > 0) {
    const measured = coldStarts.filter((c) => c.failure === undefined);
    const slowest = Math.max(...measured.map((c) => median(c.handledMs)));
    const n = Math.max(...coldStarts.map((c) => c.handledMs.length));
    rows.push([
      `10 Cold start: spawn → first message handled, dependencies cached (median of ${n})`,
      coldStarts.map((c) =>
        c.failure === undefined
          ? `${c.name} ${int(median(c.handledMs))} ms (started ${int(median(c.startedMs))})`
          : `${c.name} FAILED (${c.failure.replaceAll("|", "/").slice(0, 80)})`
      ).join(", "),
      `≤ ${int(TARGETS.maxColdStartMs)} ms each`,
      measured.length === coldStarts.length ? verdict(slowest <= TARGETS.maxColdStartMs) : "",
    ]);
  }
  return rows;
}

function ceilingRows({ ceiling, pipeline }: BenchResult): Row[] {
  const rows: Row[] = [];
  if (ceiling) {
    rows.push([
      `1 Ceiling: bare amqplib, 1 quorum queue, confirms (${ceiling.window} in flight), prefetch ${ceiling.prefetch}, ${ceiling.payloadBytes} B`,
      `${int(ceiling.messagesPerSecond)} msg/s (${int(ceiling.messages)} msgs${
        rounds(ceiling.rounds)
      })`,
      "",
      "",
    ]);
  }
  if (pipeline) {
    const ratio = pipeline.ratio;
    rows.push([
      "2 Pipeline: 4 processes on RabbitMQ, source unthrottled",
      `${int(pipeline.observationsPerSecond)} obs/s (${int(pipeline.observations)} obs${
        rounds(pipeline.rounds)
      })` +
      (ratio === undefined ? "" : `; ratio 3×pipeline/ceiling = ${ratio.toFixed(2)}`),
      `ratio ≥ ${TARGETS.minRatio}`,
      ratio === undefined ? "" : verdict(ratio >= TARGETS.minRatio),
    ]);
    const cpu = pipeline.cpuMsPerObservation;
    const functions = Object.entries(cpu).filter(([name]) => name !== "broker");
    const total = functions.reduce((sum, [, ms]) => sum + ms, 0);
    rows.push([
      "2 CPU per observation (user + system, from the source's start to the last row)",
      functions.map(([name, ms]) => `${name} ${ms.toFixed(3)}`).join(", ") +
      ` ms; the functions ${total.toFixed(3)} ms` +
      (cpu.broker === undefined ? "" : `; the broker ${cpu.broker.toFixed(3)} ms`),
      `functions ≤ ${TARGETS.maxCpuMsPerObservation} ms`,
      verdict(total <= TARGETS.maxCpuMsPerObservation),
    ]);
  }
  return rows;
}

function latencyRows({ latency }: BenchResult): Row[] {
  if (!latency) return [];
  const l = latency.latencyMs;
  return [[
    `3 Latency publish→row written at ${
      int(latency.offeredPerSecond)
    } obs/s for ${latency.seconds} s (${latency.source})`,
    `p50 ${ms(l.p50)} / p95 ${ms(l.p95)} / p99 ${ms(l.p99)} / max ${ms(l.max)} ms ` +
    `(${int(l.count)} obs, ${int(latency.publishedPerSecond)} obs/s offered` +
    (latency.source === "metrics log"
      ? `; CSV polls say p99 ${ms(latency.csvPollMs.p99)} ms)`
      : ")"),
    `p99 ≤ ${TARGETS.maxP99Ms} ms at ${TARGETS.latencyRate} obs/s`,
    latency.offeredPerSecond === TARGETS.latencyRate ? verdict(l.p99 <= TARGETS.maxP99Ms) : "",
  ]];
}

function scaleOutRows({ scaleOut }: BenchResult): Row[] {
  if (!scaleOut) return [];
  const describe = (runs: readonly PipelineRunResult[]) => {
    const base = runs[0]?.observationsPerSecond ?? NaN;
    return runs.map((run) =>
      `${run.models} model${run.models > 1 ? "s" : ""}: ${int(run.observationsPerSecond)} obs/s (${
        (run.observationsPerSecond / base).toFixed(2)
      }×)`
    ).join("; ");
  };
  const four = scaleOut.runs.find((run) => run.models === 4);
  const speedUp = four === undefined
    ? undefined
    : four.observationsPerSecond / scaleOut.runs[0]!.observationsPerSecond;
  const rows: Row[] = [[
    `4 Scale-out, MODEL_DELAY_MS=5, default PREFETCH (${
      int(scaleOut.runs[0]?.observations ?? 0)
    } obs)`,
    describe(scaleOut.runs),
    `4 models ≥ ${TARGETS.minSpeedUp4}× of 1`,
    speedUp === undefined ? "" : verdict(speedUp >= TARGETS.minSpeedUp4),
  ]];
  return rows;
}

function plotRows({ plot, plotRender: r }: BenchResult): Row[] {
  const render: Row[] = r === undefined ? [] : [[
    `5 Plot, render and encode alone: ${r.bins} bins, ${r.width}×${r.height} PNG`,
    `p50 ${ms(r.renderMs.p50)} / max ${ms(r.renderMs.max)} ms, CPU ${
      ms(r.cpuMsPerDrawing)
    } ms a drawing (${int(r.renderMs.count)} drawings)`,
    "",
    "",
  ]];
  return [
    ...render,
    ...(plot ?? []).map((p): Row => {
      const judged = p.rows >= 1_000_000;
      return [
        `5 Plot, ${int(p.rows)} rows (${(p.fileBytes / 1e6).toFixed(0)} MB), in-process ErrorPlot`,
        `first full read ${ms(p.firstReadMs)} ms; refresh +${int(p.appended)} rows p50 ${
          ms(p.refreshMs.p50)
        } / max ${ms(p.refreshMs.max)} ms`,
        judged ? `refresh ≤ ${TARGETS.maxPlotRefreshMs} ms with 1,000,000 rows` : "",
        judged ? verdict(p.refreshMs.max <= TARGETS.maxPlotRefreshMs) : "",
      ];
    }),
  ];
}

function liveRows({ live }: BenchResult): Row[] {
  if (!live) return [];
  const judged = live.rows >= 1_000_000;
  const size = `${int(live.rows)} rows, ${(live.eventBytes / 1024).toFixed(1)} KiB per update`;
  return [
    [
      `8 Live page load in Chromium, ${size}`,
      `first histogram drawn p50 ${ms(live.loadMs.p50)} / max ${ms(live.loadMs.max)} ms (${
        int(live.loadMs.count)
      } loads)`,
      judged ? `< ${int(TARGETS.maxLivePageLoadMs)} ms with 1,000,000 rows` : "",
      judged ? verdict(live.loadMs.max < TARGETS.maxLivePageLoadMs) : "",
    ],
    [
      `8 Live page update in Chromium, +${int(live.appended)} rows to ${int(live.rows)}`,
      `refresh start → page drawn p50 ${ms(live.updateMs.p50)} / max ${ms(live.updateMs.max)} ms (${
        int(live.updateMs.count)
      } updates)`,
      judged ? `< ${TARGETS.maxLivePageUpdateMs} ms with 1,000,000 rows` : "",
      judged ? verdict(live.updateMs.max < TARGETS.maxLivePageUpdateMs) : "",
    ],
  ];
}

function memoryRows({ metricsMemory: m, pipeline, latency }: BenchResult): Row[] {
  const rows: Row[] = [];
  if (m) {
    const perId = (m.loaded.peakBytes - m.idle.rssBytes) / Math.max(1, m.pendingHeld);
    rows.push([
      `6 Metrics with ${int(m.pendingTarget)} ids pending (PREFETCH ${int(m.prefetch)} per stream)`,
      `peak RSS ${mb(m.loaded.peakBytes)} (idle ${mb(m.idle.rssBytes)}; ${
        (perId / 1024).toFixed(1)
      } KiB per id; ${int(m.pendingHeld)} held)`,
      `≤ ${mb(TARGETS.maxMetricsRssBytes)} with ${int(TARGETS.metricsPending)}`,
      m.pendingTarget === TARGETS.metricsPending
        ? verdict(
          m.loaded.peakBytes <= TARGETS.maxMetricsRssBytes && m.pendingHeld >= m.pendingTarget,
        )
        : "",
    ]);
  }
  const steady = [
    ...(pipeline?.memory.filter((c) => c.name === "features") ?? []),
    ...(latency?.memory ?? []),
  ];
  if (steady.length > 0) {
    rows.push([
      "6 RSS now/peak per function (features: end of stage 2; others: end of stage 3's steady load)",
      steady.map((c) => `${c.name} ${mb(c.rssBytes)}/${mb(c.peakBytes)}`).join(", "),
      "",
      "",
    ]);
  }
  return rows;
}

/** ", best of 2: 1,200, 1,100" when there was more than one round. */
function rounds(values: readonly number[] | undefined): string {
  if (values === undefined || values.length < 2) return "";
  return `, best of ${values.length}: ${values.map(int).join(", ")}`;
}

function verdict(met: boolean): string {
  return met ? "met" : "**missed**";
}

function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a";
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : "n/a";
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
