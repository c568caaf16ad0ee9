import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connect } from "amqplib";
import { listExchanges, listQueues, requireRabbitmq, startRabbitNode } from "./rabbit_node.ts";

/** Declares a durable queue holding one persistent message. */
async function declareWithOne(url: string, queue: string): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    // Classic: list_queues reads its depth live; a quorum queue reports it a few seconds late.
    await channel.assertQueue(queue, { durable: true });
    channel.sendToQueue(queue, Buffer.from("kept"), { persistent: true });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

Deno.test("startRabbitNode() runs a private node that keeps durable queues across a restart", async (t) => {
  const node = await startRabbitNode();
  try {
    await t.step("listens on its own port, never 5672", () => {
      assert.notEqual(node.port, 5672);
      assert.equal(node.url, `amqp://guest:guest@127.0.0.1:${node.port}`);
      assert.match(node.nodeName, new RegExp(`^pipeline-test-${Deno.pid}-\\d+@localhost$`));
    });

    await t.step("starts with no queues and the default exchanges", async () => {
      assert.deepEqual(await listQueues(node.nodeName), []);
      const fanout = (await listExchanges(node.nodeName)).filter((e) => e.name === "amq.fanout");
      assert.deepEqual(fanout, [{ name: "amq.fanout", type: "fanout" }]);
    });

    await t.step("a durable queue and its message survive stop and start", async () => {
      await declareWithOne(node.url, "kept");
      await node.stop();
      await assert.rejects(connect(node.url));
      await node.start();
      assert.deepEqual(await listQueues(node.nodeName), [{ name: "kept", messages: 1 }]);
    });
  } finally {
    await node.close();
  }
  assert.equal(await node.close(), undefined);
  // Killed: the node no longer answers (its port may already serve another test's node).
  await assert.rejects(node.ctl("ping"), /Cannot run .* ping/);
});

Deno.test("listQueues() reads the system node", async () => {
  const queue = `rabbit-node-test-${crypto.randomUUID()}`;
  await declareWithOne("amqp://guest:guest@127.0.0.1:5672", queue);
  try {
    const found = (await listQueues("rabbit@localhost")).filter((q) => q.name === queue);
    assert.deepEqual(found, [{ name: queue, messages: 1 }]);
  } finally {
    const connection = await connect("amqp://guest:guest@127.0.0.1:5672");
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await connection.close();
  }
});

Deno.test("requireRabbitmq() fails at once with one line saying what to install", async () => {
  await requireRabbitmq();
  await assert.rejects(requireRabbitmq(["/usr/sbin/rabbitmq-server", "/nonexistent/rabbitmqctl"]), {
    name: "RabbitmqMissingError",
    code: "RABBITMQ_MISSING",
    message:
      'Cannot start a RabbitMQ node: "/nonexistent/rabbitmqctl" is missing: install it with "apt-get install rabbitmq-server"',
  });
});
