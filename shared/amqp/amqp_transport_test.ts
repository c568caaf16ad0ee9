import assert from "node:assert/strict";
import { type ChannelModel, connect } from "amqplib";
import { type AmqpTransport, createAmqpTransport, redactUrl } from "./amqp_transport.ts";
import { createLogger, type Logger } from "../logger.ts";
import { delay } from "../runtime/backoff.ts";
import { type RabbitNode, startRabbitNode } from "../testing/rabbit_node.ts";
import { waitFor } from "../testing/wait_for.ts";
import { transportConformance, type TransportHarness } from "../testing/transport_conformance.ts";
import {
  deadLetterQueueName,
  type OutgoingMessage,
  queueName,
  type TransportState,
} from "../runtime/transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const report = createLogger("amqp_transport_test");

function message(id: string): OutgoingMessage {
  return { id, body: encoder.encode(JSON.stringify({ id })), timestamp: 1_700_000_000_000 };
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
    const outages: Outage[] = [
      { name: "stop_app", stop: node.stopApp, start: node.startApp },
      { name: "stop", stop: node.stop, start: node.start },
    ];
    for (const outage of outages) {
      await t.step(
        `recovers from a broker ${outage.name} without losing a confirmed publish`,
        () => brokerStop(node, outage),
      );
    }
    await t.step(
      "notices a frozen broker by its heartbeat and loses no confirmed publish after it thaws",
      () => frozen(node),
    );
    await t.step(
      "re-sends publishes left unconfirmed when the broker drops the connection",
      () => connectionsClosed(node),
    );
    await t.step("holds publishes while the broker blocks publishers", () => blocked(node));
    await t.step("coalesced acks send fewer frames", () => ackCoalescing(node));
  } finally {
    await node.close();
  }
});

interface Outage {
  readonly name: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A transport that counts states, reconnects and re-sent publishes, and a group counting deliveries by id. */
async function watched(node: RabbitNode, group: string) {
  const watch = {
    states: [] as TransportState[],
    reconnects: 0,
    resent: 0,
    seen: new Map<string, number>(),
  };
  const transport = await createAmqpTransport(node.url, {
    initialDelayMs: 100,
    maxDelayMs: 400,
    events: { state: (state) => watch.states.push(state), reconnect: () => watch.reconnects++ },
    logger: createLogger("test", {
      write: (line) => {
        const record = JSON.parse(line) as { event: string; count?: number };
        if (record.event === "broker publish unconfirmed") watch.resent += record.count ?? 0;
      },
    }),
  });
  await transport.subscribe("features/Y_true", group, (delivery) => {
    const id = (JSON.parse(decoder.decode(delivery.body)) as { id: string }).id;
    watch.seen.set(id, (watch.seen.get(id) ?? 0) + 1);
    delivery.ack();
  }, { prefetch: 50 });
  const publishes: Promise<void>[] = [];
  const publish = () => {
    publishes.push(transport.publish("features/Y_true", message(`m${publishes.length}`)));
  };
  /** Checks every publish resolved and reached the group, and reports how many came twice. */
  const verify = async (name: string) => {
    await Promise.all(publishes);
    await waitFor("every message", () => watch.seen.size === publishes.length, {
      timeoutMs: 15_000,
    });
    const deliveries = [...watch.seen.values()].reduce((sum, n) => sum + n, 0);
    report.info("outage", {
      outage: name,
      published: publishes.length,
      resent: watch.resent,
      deliveries,
      twice: deliveries - watch.seen.size,
    });
    assert.deepEqual([...watch.seen.keys()].sort(), publishes.map((_, i) => `m${i}`).sort());
    assert.deepEqual(watch.states, ["connected", "disconnected", "connected"]);
    assert.equal(watch.reconnects, 1);
  };
  const cleanup = async () => {
    await transport.close();
    const queue = queueName("features/Y_true", group);
    await onChannel(node.url, (ch) => ch.deleteQueue(queue));
    await onChannel(node.url, (ch) => ch.deleteQueue(deadLetterQueueName(queue)));
  };
  return { transport, watch, publishes, publish, verify, cleanup };
}

async function brokerStop(node: RabbitNode, outage: Outage): Promise<void> {
  const { transport, publishes, publish, verify, cleanup } = await watched(
    node,
    `stop-${crypto.randomUUID().slice(0, 8)}`,
  );
  const publishSome = async (count: number) => {
    for (let i = 0; i < count; i++) {
      publish();
      await delay(2);
    }
  };
  try {
    await publishSome(100);
    // A burst in flight as the broker goes down, and publishing goes on meanwhile.
    for (let i = 0; i < 100; i++) publish();
    await Promise.all([outage.stop(), publishSome(50)]);
    await waitFor("the disconnect", () => transport.state === "disconnected", {
      timeoutMs: 15_000,
    });
    let settledWhileDown = 0;
    const whileDown = publishes.length;
    await publishSome(20);
    publishes.slice(whileDown).forEach((p) => p.then(() => settledWhileDown++));
    await delay(1000);
    assert.equal(settledWhileDown, 0);
    await outage.start();
    await verify(outage.name);
    assert.equal(settledWhileDown, 20);
  } finally {
    await cleanup();
  }
}

/** SIGSTOP on the node: only the heartbeat (10 s by default) can tell the connection is dead. */
async function frozen(node: RabbitNode): Promise<void> {
  const { transport, publishes, publish, verify, cleanup } = await watched(
    node,
    `freeze-${crypto.randomUUID().slice(0, 8)}`,
  );
  let thawed = false;
  try {
    for (let i = 0; i < 100; i++) publish();
    await Promise.all(publishes);
    await node.freeze();
    const frozenAt = performance.now();
    const before = publishes.length;
    for (let i = 0; i < 20; i++) publish();
    let settledWhileFrozen = 0;
    publishes.slice(before).forEach((p) => p.then(() => settledWhileFrozen++, () => {}));
    await waitFor("the heartbeat to drop the connection", () => transport.state !== "connected", {
      timeoutMs: 45_000,
      intervalMs: 100,
    });
    const detectedS = (performance.now() - frozenAt) / 1000;
    assert.equal(settledWhileFrozen, 0, "nothing is confirmed by a frozen broker");
    await node.thaw();
    thawed = true;
    const thawedAt = performance.now();
    await waitFor("the reconnect", () => transport.state === "connected", { timeoutMs: 30_000 });
    const recoveredS = (performance.now() - thawedAt) / 1000;
    await verify("freeze");
    assert.equal(settledWhileFrozen, 20);
    // deno-lint-ignore no-console
    console.log(
      `heartbeat: frozen broker noticed after ${detectedS.toFixed(1)} s (AMQP heartbeat 10 s), ` +
        `reconnected ${recoveredS.toFixed(1)} s after SIGCONT; ${publishes.length} confirmed, ` +
        `all ${publishes.length} delivered`,
    );
  } finally {
    if (!thawed) await node.thaw();
    await cleanup();
  }
}

async function connectionsClosed(node: RabbitNode): Promise<void> {
  const { transport, watch, publish, verify, cleanup } = await watched(
    node,
    `drop-${crypto.randomUUID().slice(0, 8)}`,
  );
  try {
    const closing = node.ctl("close_all_connections", "test");
    // Publish flat out until the broker cuts in, so some are unconfirmed when it does.
    let sent = 0;
    while (transport.state === "connected" && sent < 20_000) {
      for (let i = 0; i < 20; i++, sent++) publish();
      await delay(1);
    }
    await closing;
    await waitFor("the reconnect", () => transport.state === "connected", { timeoutMs: 15_000 });
    publish();
    await verify("close_all_connections");
    assert.equal(watch.resent > 0, true, `${watch.resent} re-sent`);
  } finally {
    await cleanup();
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
    await waitFor("the blocked event", () => events.includes("broker blocked"), {
      timeoutMs: 5000,
    });
    const held = transport.publish("features/X", message("b2")).then(() => settled++);
    await delay(500);
    assert.equal(settled, 0);
    await node.ctl("set_vm_memory_high_watermark", "0.4");
    await held;
    await waitFor("both messages", () => settled === 2 && received === 2, { timeoutMs: 15_000 });
    assert.equal(events.includes("broker unblocked"), true);
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
    await waitFor(`${count} messages`, () => received === count, { timeoutMs: 15_000 });
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
