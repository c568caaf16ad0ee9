/**
 * The conformance suite every {@linkcode Transport} passes: the same cases,
 * run as `t.step`s, against RabbitMQ and the embedded broker.
 *
 * ```ts ignore
 * Deno.test("createMemoryTransport() conforms", (t) =>
 *   transportConformance(t, {
 *     open: () => Promise.resolve(createMemoryTransport(broker)),
 *     crash: (transport) => Promise.resolve((transport as MemoryTransport).crash()),
 *     queueDepth: (queue) => ...,
 *     drain: (queue) => ...,
 *     deleteQueue: (queue) => ...,
 *   }));
 * ```
 *
 * The broker must have no queue bound to `test/nobody` (the
 * "UNROUTABLE" case needs a stream nobody consumes) and no other consumer on
 * `test/input` or `test/values` while the suite runs: use a private broker.
 * Group names are unique per run; every queue a case declares is deleted.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  ATTEMPT_HEADER,
  deadLetterQueueName,
  DEATH_REASON_HEADER,
  type Delivery,
  queueName,
  singleActiveQueueName,
  type Transport,
} from "../runtime/transport.ts";
import { singleActiveFailover, singleActiveRetry } from "./_single_active_cases.ts";

/** A message taken off a queue by {@linkcode TransportHarness.drain}. */
export interface DrainedMessage {
  readonly body: Uint8Array;
  readonly messageId: string | undefined;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** What the suite needs from the broker behind a transport. */
export interface TransportHarness {
  /** Opens a new transport: a new connection to the same broker. */
  open(): Promise<Transport>;
  /**
   * Drops a transport from {@linkcode open} like a killed process: no cancel,
   * no ack; its unsettled deliveries go back to their queue.
   */
  crash(transport: Transport): Promise<void>;
  /** Messages ready in a queue (not counting those handed out unsettled). */
  queueDepth(queue: string): Promise<number>;
  /** Takes every ready message off a queue, oldest first. */
  drain(queue: string): Promise<DrainedMessage[]>;
  /** Deletes a queue if it exists. */
  deleteQueue(queue: string): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const WAIT_MS = 5000;

/** Runs every case of the suite as a step of `t`. */
export async function transportConformance(
  t: Deno.TestContext,
  harness: TransportHarness,
): Promise<void> {
  const run = crypto.randomUUID().slice(0, 8);
  const cases: [string, (group: (name: string) => string) => Promise<void>][] = [
    ["publish() to a stream nobody consumes rejects UNROUTABLE", (g) => unroutable(harness, g)],
    ["a published message is delivered once and acked", (g) => publishConsume(harness, g)],
    ["retry() brings the message back with attempt 2", (g) => retry(harness, g)],
    [
      "deadLetter() moves the message to <queue>.dead with its reason",
      (g) => deadLetter(harness, g),
    ],
    ["two groups each get every message", (g) => fanOut(harness, g)],
    ["replicas of one group split the messages, none lost or doubled", (g) => compete(harness, g)],
    ["unsettled messages of a crashed consumer reach the next one", (g) => crash(harness, g)],
    [
      "a single-active group: one replica receives both streams, the next takes over its crash",
      (g) => singleActiveFailover(harness, g("single")),
    ],
    [
      "retry() in a single-active queue keeps the delivery's stream",
      (g) => singleActiveRetry(harness, g("single-retry")),
    ],
    ["close() twice returns the same promise, then publish() rejects", () => closeTwice(harness)],
  ];
  for (const [name, fn] of cases) {
    const queues = new Set<string>();
    const group = (suffix: string) => `conformance-${run}-${suffix}`;
    const track = (suffix: string) => {
      const name = group(suffix);
      for (const stream of ["test/input", "test/values"] as const) {
        queues.add(queueName(stream, name));
        queues.add(deadLetterQueueName(queueName(stream, name)));
      }
      queues.add(singleActiveQueueName(name));
      queues.add(deadLetterQueueName(singleActiveQueueName(name)));
      return name;
    };
    await t.step(name, async () => {
      try {
        await fn(track);
      } finally {
        for (const queue of queues) await harness.deleteQueue(queue);
      }
    });
  }
}

/** An outgoing message whose body is an envelope naming `id`. */
function message(id: string, headers: Record<string, string | number> = {}) {
  const body = encoder.encode(JSON.stringify({ id, timestamp: 1_700_000_000_000, data: {} }));
  return { id, body, timestamp: 1_700_000_000_000, headers };
}

function idOf(body: Uint8Array): string {
  return (JSON.parse(decoder.decode(body)) as { id: string }).id;
}

/** Collects deliveries of one subscription and waits for a count of them. */
class Inbox {
  readonly deliveries: Delivery[] = [];
  #wake: (() => void) | undefined;

  readonly onDelivery = (delivery: Delivery): void => {
    this.deliveries.push(delivery);
    this.#wake?.();
  };

  get ids(): string[] {
    return this.deliveries.map((d) => idOf(d.body));
  }

  /** Resolves once `count` deliveries arrived; rejects after `WAIT_MS`. */
  async waitFor(count: number): Promise<Delivery[]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Expected ${count} deliveries, got ${this.deliveries.length}`)),
        WAIT_MS,
      );
    });
    try {
      while (this.deliveries.length < count) {
        await Promise.race([new Promise<void>((resolve) => this.#wake = resolve), deadline]);
      }
    } finally {
      clearTimeout(timer);
      this.#wake = undefined;
    }
    return this.deliveries.slice(0, count);
  }
}

async function subscribed(
  transport: Transport,
  stream: string,
  group: string,
  prefetch = 10,
): Promise<Inbox> {
  const inbox = new Inbox();
  await transport.subscribe(stream, group, inbox.onDelivery, { prefetch });
  return inbox;
}

async function unroutable(harness: TransportHarness, group: (s: string) => string) {
  const transport = await harness.open();
  try {
    await assert.rejects(transport.publish("test/nobody", message("u1")), {
      name: "PipelineError",
      code: "UNROUTABLE",
    });
    // The transport still works after a return.
    const inbox = await subscribed(transport, "test/input", group("unroutable"));
    await transport.publish("test/input", message("u2"));
    assert.deepEqual((await inbox.waitFor(1)).map((d) => idOf(d.body)), ["u2"]);
    inbox.deliveries[0]!.ack();
  } finally {
    await transport.close();
  }
}

async function publishConsume(harness: TransportHarness, group: (s: string) => string) {
  const transport = await harness.open();
  const name = group("consume");
  const queue = queueName("test/input", name);
  try {
    const inbox = await subscribed(transport, "test/input", name);
    await Promise.all(
      ["a", "b", "c"].map((id) => transport.publish("test/input", message(id, { h: id }))),
    );
    const got = await inbox.waitFor(3);
    assert.deepEqual(got.map((d) => idOf(d.body)).sort(), ["a", "b", "c"]);
    for (const delivery of got) {
      assert.equal(delivery.messageId, idOf(delivery.body));
      assert.equal(delivery.contentType, "application/json");
      assert.equal(delivery.attempt, 1);
      assert.equal(delivery.queue, queue);
      assert.equal(delivery.headers.h, delivery.messageId);
      delivery.ack();
    }
  } finally {
    await transport.close();
  }
  // Acked before close: nothing comes back to the queue.
  assert.equal(await harness.queueDepth(queue), 0);
  assert.equal(await harness.queueDepth(deadLetterQueueName(queue)), 0);
}

async function retry(harness: TransportHarness, group: (s: string) => string) {
  const transport = await harness.open();
  const name = group("retry");
  try {
    const inbox = await subscribed(transport, "test/input", name);
    await transport.publish("test/input", message("r1", { h: "kept" }));
    const [first] = await inbox.waitFor(1);
    assert.equal(first!.attempt, 1);
    await first!.retry("boom");
    const [, second] = await inbox.waitFor(2);
    assert.equal(idOf(second!.body), "r1");
    assert.equal(second!.messageId, "r1");
    assert.equal(second!.attempt, 2);
    assert.equal(second!.headers[ATTEMPT_HEADER], 2);
    assert.equal(second!.headers.h, "kept");
    second!.ack();
  } finally {
    await transport.close();
  }
  assert.equal(await harness.queueDepth(queueName("test/input", name)), 0);
}

async function deadLetter(harness: TransportHarness, group: (s: string) => string) {
  const transport = await harness.open();
  const queue = queueName("test/input", group("dead"));
  try {
    const inbox = await subscribed(transport, "test/input", group("dead"));
    await transport.publish("test/input", message("d1"));
    const [delivery] = await inbox.waitFor(1);
    await delivery!.deadLetter("bad input");
  } finally {
    await transport.close();
  }
  assert.equal(await harness.queueDepth(queue), 0);
  const dead = await harness.drain(deadLetterQueueName(queue));
  assert.deepEqual(
    dead.map((m) => [idOf(m.body), m.messageId, m.headers[DEATH_REASON_HEADER]]),
    [["d1", "d1", "bad input"]],
  );
}

async function fanOut(harness: TransportHarness, group: (s: string) => string) {
  const transport = await harness.open();
  try {
    const one = await subscribed(transport, "test/values", group("fan-one"));
    const two = await subscribed(transport, "test/values", group("fan-two"));
    const ids = Array.from({ length: 10 }, (_, i) => `f${i}`);
    await Promise.all(ids.map((id) => transport.publish("test/values", message(id))));
    for (const inbox of [one, two]) {
      const got = await inbox.waitFor(10);
      assert.deepEqual(got.map((d) => idOf(d.body)).sort(), [...ids].sort());
      for (const delivery of got) delivery.ack();
    }
  } finally {
    await transport.close();
  }
}

async function compete(harness: TransportHarness, group: (s: string) => string) {
  const a = await harness.open();
  const b = await harness.open();
  const name = group("compete");
  const inbox = new Inbox();
  const acked = new Inbox();
  const perReplica = [0, 0];
  try {
    for (const [replica, transport] of [a, b].entries()) {
      const onDelivery = (delivery: Delivery) => {
        perReplica[replica]!++;
        inbox.onDelivery(delivery);
        // Settled a turn later, so both replicas hold messages at once.
        setTimeout(() => {
          delivery.ack();
          acked.onDelivery(delivery);
        }, 0);
      };
      await transport.subscribe("test/input", name, onDelivery, { prefetch: 5 });
    }
    const ids = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, "0")}`);
    await Promise.all(ids.map((id) => a.publish("test/input", message(id))));
    await acked.waitFor(40);
    assert.deepEqual(inbox.ids.sort(), ids);
    assert.equal(perReplica[0]! + perReplica[1]!, 40);
    assert.equal(perReplica[0]! > 0 && perReplica[1]! > 0, true, `split ${perReplica}`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  assert.equal(await harness.queueDepth(queueName("test/input", name)), 0);
}

async function crash(harness: TransportHarness, group: (s: string) => string) {
  const name = group("crash");
  const first = await harness.open();
  const inbox = await subscribed(first, "test/input", name);
  const ids = ["k1", "k2", "k3", "k4", "k5"];
  await Promise.all(ids.map((id) => first.publish("test/input", message(id))));
  await inbox.waitFor(5);
  await harness.crash(first);
  assert.equal(first.state, "closed");
  const second = await harness.open();
  try {
    const next = await subscribed(second, "test/input", name);
    const got = await next.waitFor(5);
    assert.deepEqual(got.map((d) => idOf(d.body)).sort(), ids);
    assert.deepEqual(got.map((d) => d.attempt), [2, 2, 2, 2, 2]);
    for (const delivery of got) delivery.ack();
  } finally {
    await second.close();
  }
  assert.equal(await harness.queueDepth(queueName("test/input", name)), 0);
}

async function closeTwice(harness: TransportHarness) {
  const transport = await harness.open();
  const first = transport.close();
  assert.equal(transport.close(), first);
  await first;
  assert.equal(transport.state, "closed");
  await assert.rejects(transport.publish("test/input", message("late")), {
    name: "PipelineError",
    code: "TRANSPORT_CLOSED",
  });
}
