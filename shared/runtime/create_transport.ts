/**
 * Chooses the transport: RabbitMQ when `AMQP_URL` is set, otherwise the
 * embedded broker in this process.
 *
 * @module
 */
import { createAmqpTransport } from "../amqp/amqp_transport.ts";
import type { Config } from "./config.ts";
import { usesDefaultBrokerPassword } from "./default_broker_password.ts";
import type { Logger } from "../logger.ts";
import { MemoryBroker } from "../memory/memory_broker.ts";
import { createMemoryTransport } from "../memory/memory_transport.ts";
import type { Transport, TransportEvents } from "./transport.ts";

let embedded: MemoryBroker | undefined;

/** Options of {@linkcode createTransport}. */
export interface CreateTransportOptions {
  readonly logger: Logger;
  readonly events: TransportEvents;
  /** The streams the function consumes or publishes. */
  readonly streams: readonly string[];
}

/** Opens the configured transport. */
export async function createTransport(
  config: Config,
  options: CreateTransportOptions,
): Promise<Transport> {
  const { logger, events, streams } = options;
  if (config.amqpUrls !== undefined) {
    if (config.amqpUrls.some(usesDefaultBrokerPassword)) {
      logger.warn(
        "AMQP_URL uses the local stack's default broker password: set RABBITMQ_PASSWORD in .env anywhere but on your own machine",
      );
    }
    return await createAmqpTransport(config.amqpUrls, {
      logger,
      events,
      streams,
      heartbeatS: config.amqpHeartbeatS,
    });
  }
  logger.warn("AMQP_URL is not set: using the embedded broker of this process");
  embedded ??= new MemoryBroker();
  return createMemoryTransport(embedded, { events });
}
