import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { MemoryBroker } from "./memory_broker.ts";
import { createMemoryTransport, type MemoryTransport } from "./memory_transport.ts";
import { transportConformance } from "../testing/transport_conformance.ts";
import type { Delivery, OutgoingMessage, TransportState } from "../runtime/transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function outgoing(id: string, headers: Record<string, string | number> = {}): OutgoingMessage {
  return { id, body: encoder.encode(`{"id":"${id}"}`), timestamp: 1_700_000_000_000, headers };
}

/** One turn of the event loop: deliveries scheduled before it have run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function bodies(deliveries: readonly Delivery[]): string[] {
  return deliveries.map((d) => decoder.decode(d.body));
}

async function closeAll(...transports: MemoryTransport[]): Promise<void> {
  await Promise.all(transports.map((t) => t.close()));
}

Deno.test("MemoryTransport.publish() confirms only routed messages", async (t) => {
  await t.step("rejects UNROUTABLE while no group consumes the stream", async () => {
    const transport = createMemoryTransport(new MemoryBroker());
    await assert.rejects(transport.publish("features/X", outgoing("a")), {
      name: "PipelineError",
      code: "UNROUTABLE",
      message: 'Cannot publish message "a" to "features/X": no queue is bound',
    });
    await transport.close();
  });

  await t.step("a queue declared once keeps taking messages after its consumer left", async () => {
    const broker = new MemoryBroker();
    const consumer = createMemoryTransport(broker);
    const publisher = createMemoryTransport(broker);
    await consumer.subscribe("features/X", "model", () => {}, { prefetch: 1 });
    await consumer.close();
    await publisher.publish("features/X", outgoing("a"));
    assert.deepEqual(broker.queues(), [
      { name: "features/X.model.dead", messages: 0, unacked: 0, consumers: 0 },
      { name: "features/X.model", messages: 1, unacked: 0, consumers: 0 },
    ]);
    await publisher.close();
  });
});

Deno.test("MemoryTransport.subscribe() delivers like RabbitMQ", async (t) => {
  await t.step("a delivery carries body, id, headers, attempt 1 and its queue", async () => {
    const transport = createMemoryTransport(new MemoryBroker());
    const got: Delivery[] = [];
    const sub = await transport.subscribe("features/X", "model", (d) => got.push(d), {
      prefetch: 5,
    });
    assert.equal(sub.queue, "features/X.model");
    await transport.publish("features/X", outgoing("a", { trace: "t1" }));
    await turn();
    assert.equal(got.length, 1);
    const [d] = got as [Delivery];
    assert.deepEqual(
      [decoder.decode(d.body), d.messageId, d.contentType, d.headers, d.attempt, d.queue],
      ['{"id":"a"}', "a", "application/json", { trace: "t1" }, 1, "features/X.model"],
    );
    d.ack();
    await transport.close();
  });

  await t.step("id and content type are what the publisher set, or undefined", async () => {
    const broker = new MemoryBroker();
    const transport = createMemoryTransport(broker);
    const got: Delivery[] = [];
    await transport.subscribe("features/X", "model", (d) => got.push(d), { prefetch: 5 });
    broker.publish("features/X", { body: encoder.encode("x"), timestamp: 1, headers: {} });
    broker.publish("features/X", { ...outgoing("b"), contentType: "text/plain", headers: {} });
    await turn();
    assert.deepEqual(got.map((d) => [d.messageId, d.contentType]), [
      [undefined, undefined],
      ["b", "text/plain"],
    ]);
    await transport.close();
  });

  await t.step("two groups each get every message; one group's replicas compete", async () => {
    const broker = new MemoryBroker();
    const [m1, m2, metrics] = [1, 2, 3].map(() => createMemoryTransport(broker)) as [
      MemoryTransport,
      MemoryTransport,
      MemoryTransport,
    ];
    const got = { m1: [] as Delivery[], m2: [] as Delivery[], metrics: [] as Delivery[] };
    const ack = (into: Delivery[]) => (d: Delivery) => (into.push(d), d.ack());
    await m1.subscribe("features/X", "model", ack(got.m1), { prefetch: 1 });
    await m2.subscribe("features/X", "model", ack(got.m2), { prefetch: 1 });
    await metrics.subscribe("features/X", "metrics", ack(got.metrics), { prefetch: 10 });
    for (const id of ["a", "b", "c", "d"]) await m1.publish("features/X", outgoing(id));
    await turn();
    assert.deepEqual(got.m1.map((d) => d.messageId), ["a", "c"]);
    assert.deepEqual(got.m2.map((d) => d.messageId), ["b", "d"]);
    assert.deepEqual(got.metrics.map((d) => d.messageId), ["a", "b", "c", "d"]);
    await closeAll(m1, m2, metrics);
  });

  await t.step("at most `prefetch` unsettled per consumer", async () => {
    const transport = createMemoryTransport(new MemoryBroker());
    const got: Delivery[] = [];
    await transport.subscribe("features/X", "model", (d) => got.push(d), { prefetch: 2 });
    for (const id of ["a", "b", "c"]) await transport.publish("features/X", outgoing(id));
    await turn();
    assert.deepEqual(bodies(got), ['{"id":"a"}', '{"id":"b"}']);
    got[1]?.ack();
    await turn();
    assert.deepEqual(bodies(got), ['{"id":"a"}', '{"id":"b"}', '{"id":"c"}']);
    await transport.close();
  });

  await t.step("cancel stops deliveries; handed-out ones still settle", async () => {
    const broker = new MemoryBroker();
    const transport = createMemoryTransport(broker);
    const got: Delivery[] = [];
    const sub = await transport.subscribe("features/X", "model", (d) => got.push(d), {
      prefetch: 1,
    });
    await transport.publish("features/X", outgoing("a"));
    await transport.publish("features/X", outgoing("b"));
    await sub.cancel();
    got[0]?.ack();
    await turn();
    assert.equal(got.length, 1);
    assert.deepEqual(broker.queues()[1], {
      name: "features/X.model",
      messages: 1,
      unacked: 0,
      consumers: 0,
    });
    await transport.close();
  });

  await t.step("a prefetch below 1 is a RangeError", async () => {
    const transport = createMemoryTransport(new MemoryBroker());
    await assert.rejects(transport.subscribe("features/X", "model", () => {}, { prefetch: 0 }), {
      name: "RangeError",
    });
    await transport.close();
  });
});

Deno.test("Delivery.retry() and deadLetter() settle through the broker", async (t) => {
  await t.step("retry puts it at the back with x-attempt raised", async () => {
    const transport = createMemoryTransport(new MemoryBroker());
    const got: Delivery[] = [];
    await transport.subscribe("features/X", "model", (d) => got.push(d), { prefetch: 1 });
    await transport.publish("features/X", outgoing("a"));
    await transport.publish("features/X", outgoing("b"));
    await turn();
    await got[0]?.retry("boom");
    await turn();
    got[1]?.ack();
    await turn();
    assert.deepEqual(bodies(got), ['{"id":"a"}', '{"id":"b"}', '{"id":"a"}']);
    assert.equal(got[2]?.attempt, 2);
    assert.deepEqual(got[2]?.headers, { "x-attempt": 2 });
    await transport.close();
  });

  await t.step("deadLetter moves it to <queue>.dead with the reason", async () => {
    const broker = new MemoryBroker();
    const transport = createMemoryTransport(broker);
    const got: Delivery[] = [];
    await transport.subscribe("features/X", "model", (d) => got.push(d), { prefetch: 1 });
    await transport.publish("features/X", outgoing("a", { "x-attempt": 3 }));
    await turn();
    assert.equal(got[0]?.attempt, 3);
    await got[0]?.deadLetter('field "id" is missing');
    got[0]?.ack();
    const dead = broker.drain("features/X.model.dead");
    assert.deepEqual(dead.map((m) => [m.id, m.headers]), [
      ["a", { "x-attempt": 3, "x-death-reason": 'field "id" is missing' }],
    ]);
    assert.deepEqual(broker.queues()[1]?.unacked, 0);
    await transport.close();
  });
});

Deno.test("MemoryTransport.crash() hands unsettled deliveries to the next consumer", async () => {
  const broker = new MemoryBroker();
  const [doomed, survivor] = [createMemoryTransport(broker), createMemoryTransport(broker)];
  const first: Delivery[] = [];
  const second: Delivery[] = [];
  await doomed.subscribe("features/X", "model", (d) => first.push(d), { prefetch: 5 });
  await doomed.publish("features/X", outgoing("a"));
  await turn();
  await survivor.subscribe("features/X", "model", (d) => second.push(d), { prefetch: 5 });
  doomed.crash();
  assert.equal(doomed.state, "closed");
  await turn();
  assert.deepEqual([bodies(second), second[0]?.attempt], [['{"id":"a"}'], 2]);
  first[0]?.ack();
  await first[0]?.retry("late");
  await first[0]?.deadLetter("late");
  assert.deepEqual(broker.queues().map((q) => [q.name, q.messages, q.unacked]), [
    ["features/X.model.dead", 0, 0],
    ["features/X.model", 0, 1],
  ]);
  second[0]?.ack();
  await doomed.close();
  await survivor.close();
});

Deno.test("MemoryTransport.close() ends the connection once", async (t) => {
  await t.step("same promise; state and events say closed; calls then reject", async () => {
    const states: TransportState[] = [];
    const transport = createMemoryTransport(new MemoryBroker(), {
      events: { state: (s) => states.push(s) },
    });
    assert.equal(transport.state, "connected");
    const closing = transport.close();
    assert.equal(transport.close(), closing);
    await closing;
    assert.equal(transport.state, "closed");
    assert.deepEqual(states, ["connected", "closed"]);
    await assert.rejects(transport.publish("features/X", outgoing("a")), {
      code: "TRANSPORT_CLOSED",
      message: 'Cannot publish to "features/X": transport is closed',
    });
    await assert.rejects(transport.subscribe("features/X", "model", () => {}, { prefetch: 1 }), {
      code: "TRANSPORT_CLOSED",
      message: 'Cannot consume "features/X.model": transport is closed',
    });
  });

  await t.step("consuming stops at once; a settle already on its way lands", async () => {
    const broker = new MemoryBroker();
    const transport = createMemoryTransport(broker);
    const got: Delivery[] = [];
    await transport.subscribe("features/X", "model", (d) => got.push(d), { prefetch: 1 });
    await transport.publish("features/X", outgoing("a"));
    await transport.publish("features/X", outgoing("b"));
    await turn();
    setTimeout(() => got[0]?.ack(), 0);
    await transport.close();
    assert.deepEqual(got.map((d) => d.messageId), ["a"]);
    assert.deepEqual(broker.queues()[1], {
      name: "features/X.model",
      messages: 1,
      unacked: 0,
      consumers: 0,
    });
  });

  await t.step("unsettled deliveries return to the queue, redelivered", async () => {
    const broker = new MemoryBroker();
    const transport = createMemoryTransport(broker);
    const got: Delivery[] = [];
    await transport.subscribe("features/X", "model", (d) => got.push(d), { prefetch: 5 });
    await transport.publish("features/X", outgoing("a"));
    await turn();
    await transport.close();
    got[0]?.ack();
    assert.deepEqual(broker.queues()[1], {
      name: "features/X.model",
      messages: 1,
      unacked: 0,
      consumers: 0,
    });
    const next = createMemoryTransport(broker);
    const again: Delivery[] = [];
    await next.subscribe("features/X", "model", (d) => again.push(d), { prefetch: 5 });
    await turn();
    assert.equal(again[0]?.attempt, 2);
    await next.close();
  });
});

Deno.test("createMemoryTransport() passes the transport conformance suite", async (t) => {
  const broker = new MemoryBroker();
  await transportConformance(t, {
    open: () => Promise.resolve(createMemoryTransport(broker)),
    crash: (transport) => Promise.resolve((transport as MemoryTransport).crash()),
    queueDepth: (queue) =>
      Promise.resolve(broker.queues().find((q) => q.name === queue)?.messages ?? 0),
    drain: (queue) =>
      Promise.resolve(
        broker.drain(queue).map((m) => ({ body: m.body, messageId: m.id, headers: m.headers })),
      ),
    deleteQueue: (queue) => Promise.resolve(broker.deleteQueue(queue)),
  });
  assert.deepEqual(broker.queues(), []);
});
