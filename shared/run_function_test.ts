import { MemoryBroker } from "./memory_broker.ts";
import { createMemoryTransport, type MemoryTransport } from "./memory_transport.ts";
import { runtimeConformance } from "./testing/runtime_conformance.ts";
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
