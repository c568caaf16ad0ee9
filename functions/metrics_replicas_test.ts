/**
 * metrics scaled to two replicas: one active, one standing by; the active one
 * killed mid-stream on a private RabbitMQ node, each function its own process.
 */
// deno-lint-ignore-file no-console
import { startRabbitNode } from "../shared/testing/rabbit_node.ts";
import { metricsConnectionLoss, metricsFailover } from "./_testing/metrics_failover.ts";

Deno.test("metrics replicas: one writes, the other takes over, rows exact", async (t) => {
  const node = await startRabbitNode();
  try {
    await t.step("the active replica killed with SIGKILL mid-stream", async () => {
      console.log(await metricsFailover(node, { n: 4000, killAfterRows: 1500, targetMs: 5000 }));
    });
    await t.step("every connection closed by the broker mid-stream", async () => {
      console.log(await metricsConnectionLoss(node, { n: 10000, closeAfterRows: 1000 }));
    });
  } finally {
    await node.close();
  }
});
