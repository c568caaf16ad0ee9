/**
 * The metrics function: joins each observation's truth (`features/Y_true`)
 * and prediction (`predictions/Y_pred`) by message id, in whatever order they
 * arrive, and appends `id,y_true,y_pred,error` to `$LOGS_DIR/metric_log.csv`,
 * once per id, durably.
 *
 * Both messages of a pair are acked only after their row is synced to disk.
 * A half whose partner does not come within `METRICS_PENDING_TTL_MS`, or that
 * is the oldest when more than `METRICS_PENDING_MAX` wait, is retried. The
 * first value for an id wins: a half with another value, whether its partner
 * is still waiting or its row is written, is dead-lettered as a conflict; a
 * half with the same value (a redelivery) is acked without a second row.
 *
 * @module
 */
import { defineConsumer } from "../../shared/define_function.ts";
import { FEATURES_Y_TRUE, PREDICTIONS_Y_PRED } from "../_streams.ts";
import { openMetricsState } from "./metrics_state.ts";
import { metricsSettings } from "./settings.ts";

/** The metrics consumer. */
export default defineConsumer({
  consumes: [FEATURES_Y_TRUE, PREDICTIONS_Y_PRED],
  publishes: [],
  settings: metricsSettings,
  sandbox: { writeDirs: ["logsDir"] },
  setup: (ctx) => openMetricsState(ctx),
  handle: (message, state) => state.handle(message),
  close: (state) => state.close(),
});
