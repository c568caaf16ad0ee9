/**
 * The metrics function: joins each observation's truth (`features/Y_true`)
 * and prediction (`predictions/Y_pred`) by message id, in whatever order they
 * arrive, and appends `id,y_true,y_pred,error` to `$LOGS_DIR/metric_log.csv`,
 * once per id, durably. With challengers (`CHALLENGERS`), each truth is joined
 * with every compared model's prediction, each model into its own file
 * (`metric_log.<model>.csv`; see metrics_joins.ts).
 *
 * A half that arrives without its partner is written to the journal of
 * waiting halves beside the log and acked once synced, so the queues never
 * hold the join's memory; the second half is acked once its row is synced.
 * A half still alone after `METRICS_ORPHAN_AFTER_MS` (or the oldest beyond
 * `METRICS_PENDING_MAX`) goes to the orphans file with its reason. When the
 * disk fails, messages stay unacked and the function pauses until a retried
 * write succeeds. The first value for an id wins: a half with another value
 * is dead-lettered as a conflict; a half with the same value (a redelivery)
 * is acked without a second row.
 *
 * Its replicas are single-active: one queue, `metrics.in`, fed by both
 * streams, delivers to one process at a time, so both halves of an
 * observation reach the same process and one process writes the files; the
 * others stand by without touching them (see {@linkcode MetricsReplica}).
 *
 * @module
 */
import { defineConsumer } from "../../shared/define_function.ts";
import { FEATURES_Y_TRUE, PREDICTIONS_Y_PRED } from "../_streams.ts";
import { checkChampion } from "./champion_marker.ts";
import { MetricsReplica } from "./metrics_replica.ts";
import { metricsSettings } from "./settings.ts";

/** The metrics consumer. */
export default defineConsumer({
  consumes: [FEATURES_Y_TRUE, PREDICTIONS_Y_PRED],
  publishes: [],
  replicas: "single-active",
  settings: metricsSettings,
  sandbox: { writeDirs: ["logsDir"] },
  // Refuses to start on another champion's files (see champion_marker.ts).
  setup: async (ctx) => {
    await checkChampion(ctx.config.logsDir, ctx.config.champion);
    return new MetricsReplica(ctx);
  },
  handle: (message, replica) => replica.handle(message),
  deactivate: (replica) => replica.deactivate(),
  close: (replica) => replica.close(),
});
