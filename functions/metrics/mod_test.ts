import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeContext } from "../../shared/testing/fake_context.ts";
import { prediction, truth } from "../_testing/metric_messages.ts";
import { FEATURES_Y_TRUE, PREDICTIONS_Y_PRED } from "../_streams.ts";
import { CSV_HEADER } from "./metric_store.ts";
import metrics from "./mod.ts";
import { metricsSettings } from "./settings.ts";

Deno.test("metrics consumes Y_true and Y_pred and appends a row per id", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "metrics_mod_test_" });
  try {
    assert.equal(metrics.kind, "consumer");
    assert.deepEqual(metrics.consumes, [FEATURES_Y_TRUE, PREDICTIONS_Y_PRED]);
    assert.deepEqual(metrics.publishes, []);
    const ctx = fakeContext(metricsSettings, {
      name: "metrics",
      env: { LOGS_DIR: logsDir, METRICS_FLUSH_MS: "0" },
      now: Date.now,
    });
    const state = await metrics.setup(ctx);
    try {
      await Promise.all([
        metrics.handle(prediction("7c9e", 140.25), state, ctx),
        metrics.handle(truth("7c9e", 151), state, ctx),
      ]);
      await metrics.handle(truth("7c9e", 151), state, ctx);
    } finally {
      await metrics.close?.(state, ctx);
    }
    assert.equal(
      await Deno.readTextFile(join(logsDir, "metric_log.csv")),
      `${CSV_HEADER}\n7c9e,151,140.25,10.75\n`,
    );
    assert.equal(ctx.counters.get(`metrics_duplicates{model="linear"}`), 1);
  } finally {
    await Deno.remove(logsDir, { recursive: true });
  }
});
