import assert from "node:assert/strict";
import { RuntimeMetrics } from "./runtime_metrics.ts";

Deno.test("a function's own counter and gauge keep one series per label value", async () => {
  const metrics = new RuntimeMetrics("test");
  metrics.counter("rows", "Rows", { model: "linear" }).inc(3);
  metrics.counter("rows", "Rows", { model: "forest" }).inc();
  metrics.counter("rows", "Rows", { model: "linear" }).inc();
  metrics.gauge("verdict", "Verdict", { challenger: "forest" }).set(-1);
  metrics.counter("plain", "Plain").inc(2);
  const text = await metrics.registry.metrics();
  const lines = text.split("\n").filter((line) => /^pipeline_(rows|verdict|plain)/.test(line));
  assert.deepEqual(lines, [
    'pipeline_rows_total{model="linear",function="test"} 4',
    'pipeline_rows_total{model="forest",function="test"} 1',
    'pipeline_verdict{challenger="forest",function="test"} -1',
    'pipeline_plain_total{function="test"} 2',
  ]);
});
