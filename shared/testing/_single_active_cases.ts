/**
 * The transport conformance cases of a single-active group: one queue,
 * `<group>.in`, fed by two streams, consumed by two replicas of which one
 * receives at a time.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  ATTEMPT_HEADER,
  deadLetterQueueName,
  type Delivery,
  singleActiveQueueName,
  type Transport,
} from "../runtime/transport.ts";
import type { TransportHarness } from "./transport_conformance.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const WAIT_MS = 5000;
const STREAMS = ["test/input", "test/values"] as const;

/** Deliveries of one replica, and a wait for a count of them. */
class Replica {
  readonly deliveries: Delivery[] = [];
  #wake: (() => void) | undefined;

  constructor(readonly onReceive: (delivery: Delivery, replica: Replica) => void) {}

  readonly onDelivery = (delivery: Delivery): void => {
    this.deliveries.push(delivery);
    this.onReceive(delivery, this);
    this.#wake?.();
  };

  get ids(): string[] {
    return this.deliveries.map((d) => idOf(d.body));
  }

  async waitFor(count: number): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (this.deliveries.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Expected ${count} deliveries, got ${this.ids.length}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    this.#wake = undefined;
  }
}

function message(id: string) {
  const body = encoder.encode(JSON.stringify({ id, timestamp: 1_700_000_000_000, data: {} }));
  return { id, body, timestamp: 1_700_000_000_000 };
}

function idOf(body: Uint8Array): string {
  return (JSON.parse(decoder.decode(body)) as { id: string }).id;
}

/** `i0..` go to test/input, `v0..` to test/values. */
async function publishBoth(transport: Transport, count: number): Promise<string[]> {
  const ids = STREAMS.flatMap((_, s) => Array.from({ length: count }, (_, i) => `${"iv"[s]}${i}`));
  await Promise.all(
    ids.map((id) => transport.publish(STREAMS[id[0] === "i" ? 0 : 1], message(id))),
  );
  return ids;
}

function assertStreams(replica: Replica): void {
  for (const delivery of replica.deliveries) {
    const id = idOf(delivery.body);
    assert.equal(delivery.stream, id[0] === "i" ? "test/input" : "test/values", id);
  }
}

/**
 * Two replicas of a single-active group: the first receives from both
 * streams and holds its prefetch unacked, the second receives nothing; the
 * first crashes and the second receives the rest, each message once.
 */
export async function singleActiveFailover(
  harness: TransportHarness,
  group: string,
): Promise<void> {
  const a = await harness.open();
  const b = await harness.open();
  const acked: string[] = [];
  // The first replica acks 6, then holds the next 5 (its prefetch) unacked.
  const first = new Replica((delivery, replica) => {
    if (replica.deliveries.length > 6) return;
    delivery.ack();
    acked.push(idOf(delivery.body));
  });
  const second = new Replica((delivery) => delivery.ack());
  const names = [...STREAMS];
  try {
    await a.subscribeSingleActive(names, group, first.onDelivery, { prefetch: 5 });
    await b.subscribeSingleActive(names, group, second.onDelivery, { prefetch: 5 });
    const ids = await publishBoth(a, 10);
    // Competing replicas would share these: the first could never reach 11.
    await first.waitFor(11);
    assert.equal(second.deliveries.length, 0);
    await harness.crash(a);
    await second.waitFor(14);
    assert.equal(first.deliveries.length, 11);
    assert.deepEqual([...acked, ...second.ids].sort(), [...ids].sort());
    const held = first.ids.slice(6);
    const redelivered = second.deliveries.filter((d) => d.attempt === 2).map((d) => idOf(d.body));
    assert.deepEqual(redelivered.sort(), held.sort());
    assertStreams(first);
    assertStreams(second);
    for (const delivery of second.deliveries) assert.equal(delivery.queue, `${group}.in`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  assert.equal(await harness.queueDepth(singleActiveQueueName(group)), 0);
  assert.equal(await harness.queueDepth(deadLetterQueueName(singleActiveQueueName(group))), 0);
}

/** A retried copy comes back through the default exchange and still names its stream. */
export async function singleActiveRetry(harness: TransportHarness, group: string): Promise<void> {
  const transport = await harness.open();
  const replica = new Replica(() => {});
  try {
    await transport.subscribeSingleActive([...STREAMS], group, replica.onDelivery, {
      prefetch: 5,
    });
    await transport.publish("test/values", message("v1"));
    await replica.waitFor(1);
    await replica.deliveries[0]!.retry("boom");
    await replica.waitFor(2);
    const again = replica.deliveries[1]!;
    assert.deepEqual([idOf(again.body), again.stream, again.attempt], ["v1", "test/values", 2]);
    assert.equal(again.headers[ATTEMPT_HEADER], 2);
    again.ack();
  } finally {
    await transport.close();
  }
  assert.equal(await harness.queueDepth(singleActiveQueueName(group)), 0);
}
