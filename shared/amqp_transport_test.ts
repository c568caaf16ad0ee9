import assert from "node:assert/strict";
import { type ChannelModel, connect } from "amqplib";
import { type AmqpTransport, createAmqpTransport, redactUrl } from "./amqp_transport.ts";
import { createLogger, type Logger } from "./logger.ts";
import { type RabbitNode, startRabbitNode } from "./testing/rabbit_node.ts";
import { transportConformance, type TransportHarness } from "./testing/transport_conformance.ts";
import {
  deadLetterQueueName,
  type OutgoingMessage,
  queueName,
  type TransportState,
} from "./transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const report = createLogger("amqp_transport_test");

function message(id: string): OutgoingMessage {
  return { id, body: encoder.encode(JSON.stringify({ id })), timestamp: 1_700_000_000_000 };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition` holds; polls, since it watches a broker. */
async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await delay(20);
  }
}

type Channel = Awaited<ReturnType<ChannelModel["createChannel"]>>;

/** Runs `fn` on a connection of its own: it lives only as long as the call, so a broker stop cannot hit it. */
async function onChannel<T>(url: string, fn: (channel: Channel) => Promise<T>): Promise<T> {
  const connection = await connect(url);
  try {
    return await fn(await connection.createChannel());
  } finally {
    await connection.close();
  }
}

function harness(node: RabbitNode): TransportHarness {
  return {
    open: () => createAmqpTransport(node.url, { initialDelayMs: 50, maxDelayMs: 500 }),
    crash: (transport) => (transport as AmqpTransport).crash(),
    queueDepth: (queue) =>
      onChannel(node.url, async (ch) => (await ch.checkQueue(queue)).messageCount),
    drain: (queue) =>
      onChannel(node.url, async (ch) => {
        const taken = [];
        for (;;) {
          const got = await ch.get(queue, { noAck: true });
          if (got === false) return taken;
          taken.push({
            body: new Uint8Array(got.content),
            messageId: got.properties.messageId as string | undefined,
            headers: { ...got.properties.headers },
          });
        }
      }),
    deleteQueue: (queue) => onChannel(node.url, async (ch) => void await ch.deleteQueue(queue)),
  };
}

function recordingLogger(events: string[]): Logger {
  return createLogger("test", {
    level: "debug",
    write: (line) => events.push((JSON.parse(line) as { event: string }).event),
  });
}

Deno.test("redactUrl() masks the password only", () => {
  assert.equal(redactUrl("amqp://guest:secret@rabbit:5672/vh"), "amqp://guest:***@rabbit:5672/vh");
  assert.equal(redactUrl("amqp://rabbit"), "amqp://rabbit");
  assert.equal(redactUrl("not a url"), "<unparseable URL>");
});

Deno.test("createAmqpTransport() against a private RabbitMQ node", async (t) => {
  const node = await startRabbitNode();
  try {
    await t.step(
      "passes the transport conformance suite",
      (t) => transportConformance(t, harness(node)),
    );
    await t.step(
      "recovers from a broker stop without losing a confirmed publish",
      () => brokerStop(node),
    );
    await t.step("holds publishes while the broker blocks publishers", () => blocked(node));
    await t.step("coalesced acks send fewer frames", () => ackCoalescing(node));
  } finally {
    await node.close();
  }
});

async function brokerStop(node: RabbitNode): Promise<void> {
  const states: TransportState[] = [];
  let reconnects = 0;
  const transport = await createAmqpTransport(node.url, {
    initialDelayMs: 100,
    maxDelayMs: 400,
    events: { state: (state) => states.push(state), reconnect: () => reconnects++ },
  });
  const group = `stop-${crypto.randomUUID().slice(0, 8)}`;
  const queue = queueName("features/Y_true", group);
  const seen = new Map<string, number>();
  try {
    await transport.subscribe("features/Y_true", group, (delivery) => {
      const id = (JSON.parse(decoder.decode(delivery.body)) as { id: string }).id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      delivery.ack();
    }, { prefetch: 50 });
    const publishes: Promise<void>[] = [];
    const publishSome = async (count: number) => {
      for (let i = 0; i < count; i++) {
        publishes.push(transport.publish("features/Y_true", message(`m${publishes.length}`)));
        await delay(2);
      }
    };
    await publishSome(100);
    // Publishing goes on while the broker shuts down.
    await Promise.all([node.stopApp(), publishSome(100)]);
    await until(() => transport.state === "disconnected", "the disconnect");
    let settledWhileDown = 0;
    const whileDown = publishes.length;
    await publishSome(20);
    publishes.slice(whileDown).forEach((p) => p.then(() => settledWhileDown++));
    await delay(1000);
    assert.equal(settledWhileDown, 0);
    await node.startApp();
    await Promise.all(publishes);
    assert.equal(settledWhileDown, 20);
    await until(() => seen.size === publishes.length, "every message");
    const deliveries = [...seen.values()].reduce((sum, n) => sum + n, 0);
    report.info("broker_stop", {
      published: publishes.length,
      deliveries,
      twice: deliveries - seen.size,
    });
    assert.deepEqual(states, ["connected", "disconnected", "connected"]);
    assert.equal(reconnects, 1);
  } finally {
    await transport.close();
    await onChannel(node.url, (ch) => ch.deleteQueue(queue));
    await onChannel(node.url, (ch) => ch.deleteQueue(deadLetterQueueName(queue)));
  }
}

async function blocked(node: RabbitNode): Promise<void> {
  const events: string[] = [];
  const transport = await createAmqpTransport(node.url, { logger: recordingLogger(events) });
  const group = `blocked-${crypto.randomUUID().slice(0, 8)}`;
  const queue = queueName("features/X", group);
  let received = 0;
  try {
    await transport.subscribe("features/X", group, (d) => {
      received++;
      d.ack();
    }, { prefetch: 10 });
    await node.ctl("set_vm_memory_high_watermark", "0");
    let settled = 0;
    // The broker tells a connection it is blocked once it publishes.
    transport.publish("features/X", message("b1")).then(() => settled++);
    await until(() => events.includes("transport.blocked"), "the blocked event", 5000);
    const held = transport.publish("features/X", message("b2")).then(() => settled++);
    await delay(500);
    assert.equal(settled, 0);
    await node.ctl("set_vm_memory_high_watermark", "0.4");
    await held;
    await until(() => settled === 2 && received === 2, "both messages");
    assert.equal(events.includes("transport.unblocked"), true);
  } finally {
    await node.ctl("set_vm_memory_high_watermark", "0.4");
    await transport.close();
    await onChannel(node.url, (ch) => ch.deleteQueue(queue));
    await onChannel(node.url, (ch) => ch.deleteQueue(deadLetterQueueName(queue)));
  }
}

/** Consumes `count` messages acking each at once; returns frames sent and messages a second. */
async function consumeAll(node: RabbitNode, group: string, count: number, coalesceAcks: boolean) {
  const transport = await createAmqpTransport(node.url, { coalesceAcks });
  try {
    // Declare the queue first, fill it, then time the consumption alone.
    const subscription = await transport.subscribe("features/X", group, () => {}, { prefetch: 1 });
    await subscription.cancel();
    await Promise.all(
      Array.from({ length: count }, (_, i) => transport.publish("features/X", message(`a${i}`))),
    );
    let received = 0;
    const started = performance.now();
    await transport.subscribe("features/X", group, (delivery) => {
      received++;
      delivery.ack();
    }, { prefetch: 200 });
    await until(() => received === count, `${count} messages`);
    const seconds = (performance.now() - started) / 1000;
    return { frames: transport.ackFrames, perSecond: Math.round(count / seconds) };
  } finally {
    await transport.close();
  }
}

async function ackCoalescing(node: RabbitNode): Promise<void> {
  const count = 3000;
  const results = [];
  for (const coalesceAcks of [false, true]) {
    const group = `acks-${coalesceAcks}-${crypto.randomUUID().slice(0, 8)}`;
    const queue = queueName("features/X", group);
    try {
      const result = await consumeAll(node, group, count, coalesceAcks);
      results.push({ coalesceAcks, ...result });
      assert.equal(
        await onChannel(node.url, async (ch) => (await ch.checkQueue(queue)).messageCount),
        0,
      );
    } finally {
      await onChannel(node.url, (ch) => ch.deleteQueue(queue));
      await onChannel(node.url, (ch) => ch.deleteQueue(deadLetterQueueName(queue)));
    }
  }
  report.info("ack_coalescing", { count, results });
  assert.equal(results[0]!.frames, count);
  assert.equal(results[1]!.frames < count / 10, true, `${results[1]!.frames} frames`);
}
