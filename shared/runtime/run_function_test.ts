import assert from "node:assert/strict";
import { connect } from "amqplib";
import { Buffer } from "node:buffer";
import { type Context, defineConsumer, defineTicker } from "../define_function.ts";
import { silentLogger } from "../logger.ts";
import { loadConfig } from "./config.ts";
import { configureFunction } from "./load_function.ts";
import { runFunction } from "./run_function.ts";
import { TEST_VALUES } from "../testing/test_streams.ts";
import { waitFor } from "../testing/wait_for.ts";
import { type AmqpTransport, createAmqpTransport } from "../amqp/amqp_transport.ts";
import { deadLetterReason } from "../amqp/dead_letter_reason.ts";
import { startRabbitNode } from "../testing/rabbit_node.ts";
import { MemoryBroker } from "../memory/memory_broker.ts";
import { createMemoryTransport, type MemoryTransport } from "../memory/memory_transport.ts";
import { runtimeConformance } from "../testing/runtime_conformance.ts";
import {
  deadLetterQueueName,
  DEATH_REASON_HEADER,
  queueName,
  singleActiveQueueName,
} from "./transport.ts";

Deno.test("runFunction() on the embedded broker passes the runtime conformance suite", async (t) => {
  const broker = new MemoryBroker();
  await runtimeConformance(t, {
    connection() {
      const opened: MemoryTransport[] = [];
      return {
        connect: (events) => {
          const transport = createMemoryTransport(broker, { events });
          opened.push(transport);
          return transport;
        },
        crash: () => opened.forEach((transport) => transport.crash()),
      };
    },
    publishRaw(stream, message) {
      broker.declareExchange(stream);
      broker.publish(stream, {
        ...(message.messageId === undefined ? {} : { id: message.messageId }),
        ...(message.contentType === undefined ? {} : { contentType: message.contentType }),
        body: message.body,
        timestamp: 1,
        headers: {},
      });
      return Promise.resolve();
    },
    drainQueue(queue) {
      const exists = broker.queues().some((q) => q.name === queue);
      return Promise.resolve(
        exists
          ? broker.drain(queue).map((m) => ({
            body: new TextDecoder().decode(m.body),
            reason: m.headers[DEATH_REASON_HEADER]?.toString(),
          }))
          : [],
      );
    },
    deleteGroup(group, streams) {
      for (
        const queue of [...streams.map((s) => queueName(s, group)), singleActiveQueueName(group)]
      ) {
        broker.deleteQueue(queue);
        broker.deleteQueue(deadLetterQueueName(queue));
      }
      return Promise.resolve();
    },
  });
});

Deno.test("runFunction() on RabbitMQ passes the runtime conformance suite", async (t) => {
  const node = await startRabbitNode();
  const admin = await connect(node.url, { noDelay: true });
  const channel = await admin.createChannel();
  try {
    await runtimeConformance(t, {
      connection() {
        const opened: AmqpTransport[] = [];
        return {
          connect: async (events) => {
            const transport = await createAmqpTransport(node.url, { events, initialDelayMs: 50 });
            opened.push(transport);
            return transport;
          },
          crash: () => opened.forEach((transport) => void transport.crash()),
        };
      },
      async publishRaw(stream, message) {
        await channel.assertExchange(stream, "fanout", { durable: true });
        channel.publish(stream, "", Buffer.from(message.body), {
          persistent: true,
          ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
          ...(message.contentType === undefined ? {} : { contentType: message.contentType }),
        });
      },
      async drainQueue(queue) {
        const taken = [];
        for (;;) {
          const got = await channel.get(queue, { noAck: true });
          if (got === false) return taken;
          const reason = deadLetterReason(got.properties.headers, got.content.length);
          taken.push({ body: got.content.toString(), reason });
        }
      },
      async deleteGroup(group, streams) {
        const queues = [...streams.map((s) => queueName(s, group)), singleActiveQueueName(group)];
        for (const queue of queues) {
          await channel.deleteQueue(queue);
          await channel.deleteQueue(deadLetterQueueName(queue));
        }
      },
    });
  } finally {
    await admin.close();
    await node.close();
  }
});

const HEALTH_CONFIG = loadConfig({ HTTP_HOST: "127.0.0.1", HTTP_PORT: "0" });

async function probe(port: number, path: string): Promise<[number, unknown]> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return [response.status, await response.json()];
}

Deno.test("runFunction() binds its HTTP port first: a busy port fails the start before any work", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const calls: string[] = [];
  const source = configureFunction(
    "busy-port",
    defineTicker({
      publishes: [TEST_VALUES],
      intervalMs: () => 0,
      setup: () => void calls.push("setup"),
      tick: () => {
        calls.push("tick");
        return "done" as const;
      },
    }),
    {},
  );
  try {
    await assert.rejects(
      runFunction(source, loadConfig({ HTTP_HOST: "127.0.0.1", HTTP_PORT: `${taken.addr.port}` }), {
        logger: silentLogger,
        connect: (events) => {
          calls.push("connect");
          return createMemoryTransport(new MemoryBroker(), { events });
        },
      }),
      (error: Error & { code?: string }) => error.code === "EADDRINUSE",
    );
    assert.deepEqual(calls, [], "no connect, no setup, no tick");
  } finally {
    taken.close();
  }
});

Deno.test("runFunction() turns /healthz on a held delivery and /readyz on a pause, and back", async (t) => {
  let time = 1_000_000;
  let release: () => void = () => {};
  let held = 0;
  let context: Context | undefined;
  const broker = new MemoryBroker();
  const fn = configureFunction(
    "held",
    defineConsumer({
      consumes: [TEST_VALUES],
      publishes: [],
      setup: (ctx) => void (context = ctx),
      handle: () => {
        held++;
        return new Promise<void>((resolve) => release = resolve);
      },
    }),
    {},
  );
  const runner = await runFunction(fn, HEALTH_CONFIG, {
    logger: silentLogger,
    now: () => time,
    connect: (events) => createMemoryTransport(broker, { events }),
  });
  const port = runner.httpPort;
  try {
    await t.step(
      "a delivery unsettled for LIVENESS_TIMEOUT_MS fails /healthz and /livez",
      async () => {
        broker.publish(TEST_VALUES.name, {
          id: "h-1",
          contentType: "application/json",
          body: new TextEncoder().encode(
            JSON.stringify({ id: "h-1", timestamp: 1, data: { value: 1 } }),
          ),
          timestamp: 1,
          headers: {},
        });
        await waitFor("the delivery", () => held === 1);
        assert.deepEqual(await probe(port, "/healthz"), [200, { status: "ok" }]);
        time += 60_000;
        const wedged = {
          status: "unavailable",
          reason: "no progress for 60 s with 1 unsettled and 0 failed in a row",
        };
        assert.deepEqual(await probe(port, "/healthz"), [503, wedged]);
        assert.deepEqual(await probe(port, "/livez"), [503, wedged]);
        assert.deepEqual(await probe(port, "/readyz"), [200, { status: "ok" }]);
      },
    );
    await t.step("it settles: /healthz passes again", async () => {
      release();
      await waitFor("the ack", () => broker.queues().every((q) => q.messages + q.unacked === 0));
      await waitFor("live", async () => (await probe(port, "/healthz"))[0] === 200);
    });
    await t.step(
      "ctx.pause() fails /readyz with the reason, not /healthz; resume() ends it",
      async () => {
        context!.pause("Cannot write the CSV: disk full");
        assert.deepEqual(await probe(port, "/readyz"), [503, {
          status: "unavailable",
          reason: "paused: Cannot write the CSV: disk full",
        }]);
        time += 600_000;
        assert.deepEqual(await probe(port, "/healthz"), [200, { status: "ok" }]);
        context!.resume();
        assert.deepEqual(await probe(port, "/readyz"), [200, { status: "ok" }]);
      },
    );
  } finally {
    release();
    await runner.close();
  }
});

Deno.test("runFunction() fails /healthz while ticks fail in a row past the timeout; a finished source stays live", async (t) => {
  let time = 1_000_000;
  let outcome: "fail" | "continue" | "done" = "fail";
  let ticks = 0;
  const fn = configureFunction(
    "flaky-ticks",
    defineTicker({
      publishes: [],
      intervalMs: () => 10,
      setup: () => undefined,
      tick: () => {
        ticks++;
        if (outcome === "fail") throw new Error("Cannot write the PNG: ENOSPC");
        return outcome;
      },
    }),
    {},
  );
  const runner = await runFunction(fn, HEALTH_CONFIG, { logger: silentLogger, now: () => time });
  const port = runner.httpPort;
  try {
    await t.step("failing ticks for 60 s: wedged", async () => {
      await waitFor("a failed tick", () => ticks >= 1);
      time += 60_000;
      const [status, body] = await probe(port, "/healthz");
      assert.equal(status, 503);
      assert.match(
        (body as { reason: string }).reason,
        /^no progress for 60 s with 0 unsettled and [1-9]\d* failed in a row$/,
      );
    });
    await t.step("one tick succeeds: live", async () => {
      outcome = "continue";
      await waitFor("live", async () => (await probe(port, "/healthz"))[0] === 200, {
        timeoutMs: 15_000,
      });
    });
    await t.step("the source says done: live and ready, and finished", async () => {
      outcome = "done";
      await waitFor("finished", async () => {
        const [, body] = await probe(port, "/healthz");
        return (body as { finished?: boolean }).finished === true;
      });
      time += 600_000;
      assert.deepEqual(await probe(port, "/healthz"), [200, { status: "ok", finished: true }]);
      assert.deepEqual(await probe(port, "/readyz"), [200, { status: "ok", finished: true }]);
    });
  } finally {
    await runner.close();
  }
});
