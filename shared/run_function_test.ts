import { MemoryBroker } from "./memory_broker.ts";
import { createMemoryTransport, type MemoryTransport } from "./memory_transport.ts";
import { runtimeConformance } from "./testing/runtime_conformance.ts";
import { DEATH_REASON_HEADER, queueName } from "./transport.ts";
import { deadLetterQueueName } from "./transport.ts";

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
        id: message.messageId ?? "",
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
    deleteGroup(_group, _streams) {
      return Promise.resolve();
    },
  });
});
