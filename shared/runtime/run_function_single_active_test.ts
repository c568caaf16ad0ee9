import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connect } from "amqplib";
import { createAmqpTransport } from "../amqp/amqp_transport.ts";
import { defineConsumer } from "../define_function.ts";
import { silentLogger } from "../logger.ts";
import { startRabbitNode } from "../testing/rabbit_node.ts";
import { TEST_VALUES } from "../testing/test_streams.ts";
import { waitFor } from "../testing/wait_for.ts";
import { loadConfig } from "./config.ts";
import { configureFunction } from "./load_function.ts";
import { runFunction } from "./run_function.ts";

Deno.test("runFunction() deactivates a single-active function whose connection is lost", async () => {
  const node = await startRabbitNode();
  const events: string[] = [];
  const fn = configureFunction(
    "single-deactivate",
    defineConsumer({
      consumes: [TEST_VALUES],
      publishes: [],
      replicas: "single-active",
      setup: () => undefined,
      handle: (message) => void events.push(`handled ${message.id}`),
      deactivate: () => void events.push("deactivated"),
    }),
    {},
  );
  const config = loadConfig({ HTTP_HOST: "127.0.0.1", HTTP_PORT: "0" });
  const runner = await runFunction(fn, config, {
    logger: silentLogger,
    connect: (events) => createAmqpTransport(node.url, { events, initialDelayMs: 50 }),
  });
  const publish = async (id: string) => {
    const connection = await connect(node.url);
    try {
      const channel = await connection.createConfirmChannel();
      const body = Buffer.from(JSON.stringify({ id, timestamp: 1, data: { value: 1 } }));
      channel.publish(TEST_VALUES.name, "", body, { contentType: "application/json" });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  };
  try {
    await publish("before");
    await waitFor("the first message", () => events.length === 1);
    await node.ctl("close_all_connections", "test");
    await waitFor("the deactivation", () => events.length === 2);
    await waitFor("the reconnect", () => runner.ready(), { timeoutMs: 15_000 });
    await publish("after");
    await waitFor("the second message", () => events.length === 3);
    assert.deepEqual(events, ["handled before", "deactivated", "handled after"]);
  } finally {
    await runner.close();
    await node.close();
  }
});
