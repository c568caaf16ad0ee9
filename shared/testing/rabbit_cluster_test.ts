import assert from "node:assert/strict";
import { createAmqpTransport } from "../amqp/amqp_transport.ts";
import { deadLetterQueueName, queueName } from "../runtime/transport.ts";
import { startRabbitCluster } from "./rabbit_cluster.ts";

Deno.test("startRabbitCluster() joins three private nodes whose quorum queues have a replica on each", async (t) => {
  const cluster = await startRabbitCluster();
  try {
    const names = cluster.nodes.map((node) => node.nodeName).toSorted();

    await t.step("three nodes, none on 5672, each running and seeing the other two", async () => {
      assert.equal(cluster.nodes.length, 3);
      assert.equal(new Set(names).size, 3);
      assert.ok(cluster.nodes.every((node) => node.port !== 5672));
      assert.equal(cluster.url, cluster.nodes.map((node) => node.url).join(","));
      for (const node of cluster.nodes) assert.deepEqual(await cluster.runningNodes(node), names);
    });

    await t.step("a group queue declared by the transport has three members", async () => {
      const transport = await createAmqpTransport(cluster.nodes[1]!.url);
      try {
        const subscription = await transport.subscribe("features/X", "model", () => {}, {
          prefetch: 1,
        });
        await subscription.cancel();
      } finally {
        await transport.close();
      }
      const queue = queueName("features/X", "model");
      const queues = (await cluster.quorumQueues()).toSorted((a, b) => a.name < b.name ? -1 : 1);
      assert.deepEqual(queues.map(({ name, members }) => ({ name, members })), [
        { name: queue, members: names },
        { name: deadLetterQueueName(queue), members: names },
      ]);
      for (const { leader } of queues) assert.ok(names.includes(leader), leader);
    });
  } finally {
    await cluster.close();
  }
  assert.equal(await cluster.close(), undefined);
});
