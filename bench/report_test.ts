import assert from "node:assert/strict";
import { type BenchResult, formatTable } from "./report.ts";
import type { PipelineRunResult } from "./pipeline_run.ts";

const run = (models: number, observationsPerSecond: number): PipelineRunResult => ({
  observations: 1000,
  models,
  modelDelayMs: 5,
  seconds: 1000 / observationsPerSecond,
  observationsPerSecond,
  memory: [],
  cpuMsPerObservation: { features: 0.1, model: 0.05, metrics: 0.05, plot: 0.01, broker: 0.2 },
});

Deno.test("formatTable() puts each target beside its figure with a verdict", async (t) => {
  await t.step("met and missed", () => {
    const result: BenchResult = {
      pipeline: { ...run(1, 3000), ratio: 0.61 },
      scaleOut: { runs: [run(1, 1000), run(2, 1500), run(4, 2000)] },
      failures: { latency: "Timed out | twice\nsecond line" },
    };
    assert.equal(
      formatTable(result),
      [
        "| Stage | Measured | Target |  |",
        "| --- | --- | --- | --- |",
        "| 2 Pipeline: 4 processes on RabbitMQ, source unthrottled | 3,000 obs/s (1,000 obs); ratio 3×pipeline/ceiling = 0.61 | ratio ≥ 0.6 | met |",
        "| 2 CPU per observation (user + system, from the source's start to the last row) | features 0.100, model 0.050, metrics 0.050, plot 0.010 ms; the functions 0.210 ms; the broker 0.200 ms | functions ≤ 0.25 ms | met |",
        "| 4 Scale-out, MODEL_DELAY_MS=5, default PREFETCH (1,000 obs) | 1 model: 1,000 obs/s (1.00×); 2 models: 1,500 obs/s (1.50×); 4 models: 2,000 obs/s (2.00×) | 4 models ≥ 3× of 1 | **missed** |",
        "| latency | FAILED: Timed out / twice |  |  |",
      ].join("\n"),
    );
  });
  await t.step("no verdict for a size the target is not about", () => {
    const idle = { rssBytes: 80 * 2 ** 20, peakBytes: 80 * 2 ** 20 };
    const table = formatTable({
      metricsMemory: {
        pendingTarget: 5000,
        pendingHeld: 5000,
        prefetch: 2500,
        idle,
        loaded: { rssBytes: 100 * 2 ** 20, peakBytes: 100 * 2 ** 20 },
      },
      failures: {},
    });
    assert.equal(
      table.split("\n")[2],
      "| 6 Metrics with 5,000 ids pending (PREFETCH 2,500 per stream) | peak RSS 100 MB (idle 80 MB; 4.1 KiB per id; 5,000 held) | ≤ 200 MB with 100,000 |  |",
    );
  });
});

Deno.test("formatTable() judges the live page's load and update with 1 000 000 rows", () => {
  const p = (p50: number, max: number) => ({ count: 5, p50, p95: max, p99: max, max });
  const table = formatTable({
    live: {
      rows: 1_000_000,
      eventBytes: 2560,
      loadMs: p(400, 1200),
      appended: 1000,
      updateMs: p(20, 35),
    },
    failures: {},
  });
  assert.equal(
    table.split("\n").slice(2).join("\n"),
    [
      "| 8 Live page load in Chromium, 1,000,000 rows, 2.5 KiB per update | first histogram drawn p50 400 / max 1200 ms (5 loads) | < 1,000 ms with 1,000,000 rows | **missed** |",
      "| 8 Live page update in Chromium, +1,000 rows to 1,000,000 | refresh start → page drawn p50 20 / max 35 ms (5 updates) | < 300 ms with 1,000,000 rows | met |",
    ].join("\n"),
  );
});

Deno.test("formatTable() shows the cluster ratio and each function's cold start", () => {
  const run = (observationsPerSecond: number) => ({
    observations: 1000,
    models: 1,
    modelDelayMs: 0,
    seconds: 1000 / observationsPerSecond,
    observationsPerSecond,
    cpuMsPerObservation: {},
    memory: [],
    rounds: [observationsPerSecond],
  });
  const table = formatTable({
    failures: {},
    cluster: { observations: 1000, single: run(4000), cluster: run(1000), ratio: 0.25 },
    coldStarts: [
      { name: "model", startedMs: [300, 200, 400], handledMs: [320, 900, 500] },
      { name: "plot", startedMs: [], handledMs: [], failure: "no addon" },
    ],
  });
  const lines = table.split("\n");
  assert.match(lines[2]!, /^\| 9 Cluster.* 3 nodes 1,000 obs\/s; 1 node 4,000 obs\/s; ratio 0\.25/);
  assert.match(
    lines[3]!,
    /^\| 10 Cold start.* model 500 ms \(started 300\), plot FAILED \(no addon\) \| ≤ 1,000 ms/,
  );
});
