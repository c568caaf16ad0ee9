import { connect } from "amqplib";
import { Buffer } from "node:buffer";
import { type AmqpTransport, createAmqpTransport } from "../amqp/amqp_transport.ts";
import { startRabbitNode } from "../testing/rabbit_node.ts";
import { MemoryBroker } from "../memory/memory_broker.ts";
import { createMemoryTransport, type MemoryTransport } from "../memory/memory_transport.ts";
import { runtimeConformance } from "../testing/runtime_conformance.ts";
import { deadLetterQueueName, DEATH_REASON_HEADER, queueName } from "./transport.ts";

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
      for (const stream of streams) {
        const queue = queueName(stream, group);
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
          const reason = got.properties.headers?.[DEATH_REASON_HEADER];
          taken.push({ body: got.content.toString(), reason: reason?.toString() });
        }
      },
      async deleteGroup(group, streams) {
        for (const stream of streams) {
          const queue = queueName(stream, group);
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
