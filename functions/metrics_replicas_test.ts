/**
 * metrics scaled to two replicas: one active, one standing by; the active one
 * killed mid-stream on a private RabbitMQ node, each function its own process.
 */
// deno-lint-ignore-file no-console
import { startRabbitNode } from "../shared/testing/rabbit_node.ts";
import { metricsFailover } from "./_testing/metrics_failover.ts";

Deno.test("metrics replicas: the standby takes over a killed active one, rows exact", async () => {
  const node = await startRabbitNode();
  try {
    console.log(await metricsFailover(node, { n: 4000, killAfterRows: 1500, targetMs: 5000 }));
  } finally {
    await node.close();
  }
});
