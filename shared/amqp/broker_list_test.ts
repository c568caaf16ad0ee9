import assert from "node:assert/strict";
import { BrokerList } from "./broker_list.ts";
import { createAmqpTransport, redactUrl } from "./amqp_transport.ts";
import { createLogger } from "../logger.ts";
import { delay } from "../runtime/backoff.ts";
import type { OutgoingMessage, TransportState } from "../runtime/transport.ts";
import { startRabbitCluster } from "../testing/rabbit_cluster.ts";
import { waitFor } from "../testing/wait_for.ts";

const report = createLogger("broker_list_test");

Deno.test("BrokerList reads the current URL's fields as amqplib reads a URL string", async (t) => {
  const brokers = new BrokerList([
    "amqp://us%40er:p%3Ass@rabbit-0:5673/%2F?heartbeat=15&frameMax=8192",
    "amqps://[::1]/vhost",
    "amqp://rabbit-2",
  ]);
  const target = brokers.target;

  await t.step("the first URL, decoded", () => {
    assert.equal(brokers.size, 3);
    assert.equal(
      brokers.current,
      "amqp://us%40er:p%3Ass@rabbit-0:5673/%2F?heartbeat=15&frameMax=8192",
    );
    assert.deepEqual({ ...fields(target) }, {
      protocol: "amqp",
      hostname: "rabbit-0",
      port: 5673,
      username: "us@er",
      password: "p:ss",
      vhost: "%2F",
      heartbeat: 15,
      frameMax: 8192,
      channelMax: undefined,
      locale: undefined,
    });
  });

  await t.step("next() moves the same object to the next URL, then back to the first", () => {
    brokers.next();
    assert.equal(brokers.current, "amqps://[::1]/vhost");
    assert.deepEqual(
      [target.protocol, target.hostname, target.port, target.username, target.vhost],
      ["amqps", "::1", undefined, undefined, "vhost"],
    );
    brokers.next();
    assert.deepEqual([target.hostname, target.vhost], ["rabbit-2", undefined]);
    brokers.next();
    assert.equal(target.hostname, "rabbit-0");
  });

  await t.step("the heartbeat of the options when the URL names none", () => {
    const beating = new BrokerList(["amqp://a", "amqp://b?heartbeat=30"], { heartbeatS: 10 });
    assert.equal(beating.target.heartbeat, 10);
    beating.next();
    assert.equal(beating.target.heartbeat, 30);
  });

  await t.step("no URL is a RangeError", () => {
    assert.throws(() => new BrokerList([]), RangeError);
  });
});

function fields(target: BrokerList["target"]) {
  const {
    protocol,
    hostname,
    port,
    username,
    password,
    vhost,
    heartbeat,
    frameMax,
    channelMax,
    locale,
  } = target;
  return {
    protocol,
    hostname,
    port,
    username,
    password,
    vhost,
    heartbeat,
    frameMax,
    channelMax,
    locale,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function message(id: string): OutgoingMessage {
  return { id, body: encoder.encode(JSON.stringify({ id })), timestamp: 1_700_000_000_000 };
}

Deno.test("createAmqpTransport() with two URLs goes on on the second when the first node is killed mid-stream", async () => {
  const cluster = await startRabbitCluster();
  const [first, second] = cluster.nodes;
  const connectedTo: string[] = [];
  const states: TransportState[] = [];
  const transport = await createAmqpTransport([first!.url, second!.url], {
    initialDelayMs: 100,
    maxDelayMs: 1000,
    events: { state: (state) => states.push(state) },
    logger: createLogger("test", {
      write: (line) => {
        const record = JSON.parse(line) as { event: string; url?: string };
        if (record.event === "broker connected") connectedTo.push(record.url!);
      },
    }),
  });
  const seen = new Map<string, number>();
  const confirmed = new Set<string>();
  const n = 3000;
  try {
    await transport.subscribe("features/Y_true", "failover", (delivery) => {
      const id = (JSON.parse(decoder.decode(delivery.body)) as { id: string }).id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      delivery.ack();
    }, { prefetch: 50 });
    const publishes: Promise<void>[] = [];
    let killed: Promise<void> | undefined;
    for (let i = 0; i < n; i++) {
      const id = `m${i}`;
      publishes.push(
        transport.publish("features/Y_true", message(id)).then(() => {
          confirmed.add(id);
        }),
      );
      // Mid-stream, with a burst in flight: the first node dies like a power cut.
      if (i === n / 3) killed = first!.kill();
      if (i % 50 === 49) await delay(5);
    }
    await killed;
    await Promise.all(publishes);
    await waitFor("every confirmed message", () => [...confirmed].every((id) => seen.has(id)), {
      timeoutMs: 60_000,
    });
    const deliveries = [...seen.values()].reduce((sum, count) => sum + count, 0);
    report.info("failover", {
      published: n,
      confirmed: confirmed.size,
      received: seen.size,
      twice: deliveries - seen.size,
      lost: [...confirmed].filter((id) => !seen.has(id)).length,
    });
    assert.equal(confirmed.size, n);
    assert.equal(seen.size, n);
    assert.deepEqual(connectedTo, [first!.url, second!.url].map(redactUrl));
    assert.deepEqual(states, ["connected", "disconnected", "connected"]);
  } finally {
    await transport.close();
    await cluster.close();
  }
});
