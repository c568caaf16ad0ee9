import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import {
  type BrokerDelivery,
  type BrokerMessage,
  DELIVERY_LIMIT_REASON,
  MemoryBroker,
} from "./memory_broker.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function message(id: string, headers: Record<string, string | number> = {}): BrokerMessage {
  return { id, body: encoder.encode(`{"id":"${id}"}`), timestamp: 1_700_000_000_000, headers };
}

/** One turn of the event loop: deliveries scheduled before it have run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function ids(deliveries: readonly BrokerDelivery[]): (string | undefined)[] {
  return deliveries.map((d) => d.message.id);
}

/** A broker with exchange "s" bound to queue "q" (DLQ "q.dead"). */
function setup(deliveryLimit = 20): MemoryBroker {
  const broker = new MemoryBroker({ deliveryLimit });
  broker.declareExchange("s");
  broker.declareQueue("q.dead");
  broker.declareQueue("q", { deadLetterQueue: "q.dead" });
  broker.bindQueue("q", "s");
  return broker;
}

Deno.test("MemoryBroker.publish() routes like a fan-out exchange", async (t) => {
  await t.step("every bound queue gets a copy; declaring twice changes nothing", () => {
    const broker = new MemoryBroker();
    broker.declareExchange("s");
    broker.declareExchange("s");
    for (const q of ["a", "b", "a"]) {
      broker.declareQueue(q);
      broker.bindQueue(q, "s");
    }
    assert.equal(broker.publish("s", message("m1", { k: 1 })), 2);
    assert.deepEqual(broker.queues(), [
      { name: "a", messages: 1, unacked: 0, consumers: 0 },
      { name: "b", messages: 1, unacked: 0, consumers: 0 },
    ]);
    const [drained] = broker.drain("a");
    assert.equal(drained?.id, "m1");
    assert.deepEqual(drained?.headers, { k: 1 });
    assert.equal(drained?.timestamp, 1_700_000_000_000);
    assert.equal(decoder.decode(drained?.body), '{"id":"m1"}');
    assert.deepEqual(broker.drain("a"), []);
    assert.equal(broker.drain("b").length, 1);
  });

  await t.step("an exchange without queues takes nothing", () => {
    const broker = new MemoryBroker();
    broker.declareExchange("s");
    assert.equal(broker.publish("s", message("m1")), 0);
    assert.deepEqual(broker.queues(), []);
  });

  await t.step("an unknown exchange or queue is a RangeError", () => {
    const broker = new MemoryBroker();
    assert.throws(() => broker.publish("nope", message("m1")), {
      name: "RangeError",
      message: 'Cannot publish to exchange "nope": it does not exist',
    });
    assert.throws(() => broker.drain("nope"), {
      name: "RangeError",
      message: 'Cannot drain queue "nope": it does not exist',
    });
  });

  await t.step("the body is copied: a publisher may reuse its buffer", () => {
    const broker = setup();
    const body = encoder.encode("abc");
    broker.publish("s", { ...message("m1"), body });
    body[0] = 0x7a;
    assert.equal(decoder.decode(broker.drain("q")[0]?.body), "abc");
  });
});

Deno.test("MemoryConnection.consume() delivers with prefetch and round-robin", async (t) => {
  await t.step("delivery is asynchronous, never inside publish", async () => {
    const broker = setup();
    const connection = broker.connect();
    const got: BrokerDelivery[] = [];
    connection.consume("q", 10, (d) => got.push(d));
    broker.publish("s", message("m1"));
    assert.equal(got.length, 0);
    await turn();
    assert.deepEqual(ids(got), ["m1"]);
    assert.equal(got[0]?.redelivered, false);
    assert.equal(got[0]?.queue, "q");
    connection.close();
  });

  await t.step("at most `prefetch` unsettled; an ack frees a slot", async () => {
    const broker = setup();
    const connection = broker.connect();
    const got: BrokerDelivery[] = [];
    connection.consume("q", 2, (d) => got.push(d));
    for (const id of ["m1", "m2", "m3", "m4"]) broker.publish("s", message(id));
    await turn();
    assert.deepEqual(ids(got), ["m1", "m2"]);
    assert.deepEqual(broker.queues()[1], { name: "q", messages: 2, unacked: 2, consumers: 1 });
    assert.equal(connection.ack(got[0]!.tag), true);
    assert.equal(connection.ack(got[0]!.tag), false);
    await turn();
    assert.deepEqual(ids(got), ["m1", "m2", "m3"]);
    assert.deepEqual(broker.queues()[1], { name: "q", messages: 1, unacked: 2, consumers: 1 });
    connection.close();
  });

  await t.step("consumers of one queue take turns; a full one is skipped", async () => {
    const broker = setup();
    const [a, b] = [broker.connect(), broker.connect()];
    const got = { a: [] as BrokerDelivery[], b: [] as BrokerDelivery[] };
    a.consume("q", 1, (d) => got.a.push(d));
    b.consume("q", 3, (d) => got.b.push(d));
    for (const id of ["m1", "m2", "m3", "m4", "m5"]) broker.publish("s", message(id));
    await turn();
    assert.deepEqual(ids(got.a), ["m1"]);
    assert.deepEqual(ids(got.b), ["m2", "m3", "m4"]);
    a.ack(got.a[0]!.tag);
    await turn();
    assert.deepEqual(ids(got.a), ["m1", "m5"]);
    a.close();
    b.close();
  });

  await t.step("turns alternate when each message is acked before the next arrives", async () => {
    const broker = setup();
    const [a, b] = [broker.connect(), broker.connect()];
    const got: string[] = [];
    a.consume("q", 1, (d) => (got.push(`a:${d.message.id}`), a.ack(d.tag)));
    b.consume("q", 1, (d) => (got.push(`b:${d.message.id}`), b.ack(d.tag)));
    for (const id of ["m1", "m2", "m3"]) {
      broker.publish("s", message(id));
      await turn();
    }
    assert.deepEqual(got, ["a:m1", "b:m2", "a:m3"]);
    a.close();
    b.close();
  });

  await t.step("cancel stops deliveries; what was handed out can still be acked", async () => {
    const broker = setup();
    const connection = broker.connect();
    const got: BrokerDelivery[] = [];
    const tag = connection.consume("q", 1, (d) => got.push(d));
    broker.publish("s", message("m1"));
    broker.publish("s", message("m2"));
    await turn();
    connection.cancel(tag);
    assert.equal(connection.ack(got[0]!.tag), true);
    await turn();
    assert.deepEqual(ids(got), ["m1"]);
    assert.deepEqual(broker.queues()[1], { name: "q", messages: 1, unacked: 0, consumers: 0 });
    connection.close();
  });

  await t.step("a bad prefetch or unknown queue is a RangeError", () => {
    const connection = setup().connect();
    assert.throws(() => connection.consume("q", 0, () => {}), {
      name: "RangeError",
      message: 'Invalid prefetch "0": expected a whole number from 1',
    });
    assert.throws(() => connection.consume("nope", 1, () => {}), { name: "RangeError" });
    connection.close();
  });
});

Deno.test("MemoryConnection.republish() moves a delivery to the back of a queue", async () => {
  const broker = setup();
  const connection = broker.connect();
  const got: BrokerDelivery[] = [];
  connection.consume("q", 1, (d) => got.push(d));
  broker.publish("s", message("m1", { keep: "yes" }));
  broker.publish("s", message("m2"));
  await turn();
  assert.equal(connection.republish(got[0]!.tag, "q", { "x-attempt": 2 }), true);
  assert.equal(connection.republish(got[0]!.tag, "q", { "x-attempt": 2 }), false);
  await turn();
  connection.ack(got[1]!.tag);
  await turn();
  assert.deepEqual(ids(got), ["m1", "m2", "m1"]);
  assert.deepEqual(got[2]?.message.headers, { keep: "yes", "x-attempt": 2 });
  assert.equal(got[2]?.redelivered, false);
  assert.throws(() => connection.republish(got[2]!.tag, "nope", {}), { name: "RangeError" });
  assert.equal(connection.republish(got[2]!.tag, "q.dead", { "x-death-reason": "bad" }), true);
  assert.deepEqual(broker.drain("q.dead").map((m) => m.headers), [
    { keep: "yes", "x-attempt": 2, "x-death-reason": "bad" },
  ]);
  connection.close();
});

Deno.test("MemoryConnection.close() returns unsettled deliveries to the front", async (t) => {
  await t.step("in their order, marked redelivered; stale tags do nothing", async () => {
    const broker = setup();
    const crashed = broker.connect();
    const first: BrokerDelivery[] = [];
    crashed.consume("q", 2, (d) => first.push(d));
    for (const id of ["m1", "m2", "m3"]) broker.publish("s", message(id));
    await turn();
    crashed.close();
    assert.equal(crashed.closed, true);
    assert.equal(crashed.ack(first[0]!.tag), false);
    assert.equal(crashed.republish(first[1]!.tag, "q", {}), false);
    assert.deepEqual(broker.queues()[1], { name: "q", messages: 3, unacked: 0, consumers: 0 });
    const next = broker.connect();
    const second: BrokerDelivery[] = [];
    next.consume("q", 10, (d) => second.push(d));
    await turn();
    assert.deepEqual(ids(second), ["m1", "m2", "m3"]);
    assert.deepEqual(second.map((d) => d.redelivered), [true, true, false]);
    next.close();
    assert.throws(() => next.consume("q", 1, () => {}), { name: "RangeError" });
  });

  await t.step("past the delivery limit a message is dead-lettered", async () => {
    const broker = setup(2);
    let deliveries = 0;
    for (let i = 0; i < 3; i++) {
      const connection = broker.connect();
      connection.consume("q", 1, () => deliveries++);
      if (i === 0) broker.publish("s", message("m1", { "x-attempt": 1 }));
      await turn();
      connection.close();
    }
    assert.equal(deliveries, 3);
    assert.deepEqual(broker.queues().map((q) => [q.name, q.messages, q.unacked]), [
      ["q.dead", 1, 0],
      ["q", 0, 0],
    ]);
    assert.deepEqual(broker.drain("q.dead")[0]?.headers, {
      "x-attempt": 1,
      "x-death-reason": DELIVERY_LIMIT_REASON,
    });
  });

  await t.step("without its dead-letter queue, such a message is dropped", async () => {
    const broker = new MemoryBroker({ deliveryLimit: 0 });
    broker.declareQueue("r", { deadLetterQueue: "r.dead" });
    broker.sendToQueue("r", message("m1"));
    const connection = broker.connect();
    let deliveries = 0;
    connection.consume("r", 1, () => deliveries++);
    await turn();
    connection.close();
    assert.equal(deliveries, 1);
    assert.deepEqual(broker.queues(), [{ name: "r", messages: 0, unacked: 0, consumers: 0 }]);
  });
});

Deno.test("MemoryBroker.deleteQueue() unbinds the queue and cancels its consumers", async () => {
  const broker = setup();
  const connection = broker.connect();
  const got: BrokerDelivery[] = [];
  connection.consume("q", 1, (d) => got.push(d));
  broker.publish("s", message("m1"));
  broker.deleteQueue("q");
  broker.deleteQueue("q");
  await turn();
  assert.deepEqual(got, []);
  assert.equal(broker.publish("s", message("m2")), 0);
  assert.deepEqual(broker.queues().map((q) => q.name), ["q.dead"]);
  connection.close();
});

Deno.test("MemoryBroker() refuses a negative delivery limit", () => {
  assert.throws(() => new MemoryBroker({ deliveryLimit: -1 }), {
    name: "RangeError",
    message: 'Invalid delivery limit "-1": expected a whole number from 0',
  });
});
