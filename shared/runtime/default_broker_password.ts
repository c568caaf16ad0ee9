/**
 * The broker password docker-compose.yml falls back to when `.env` sets none,
 * so the local stack starts from a fresh clone. Fine on 127.0.0.1, never
 * elsewhere: a function that connects with it logs one warning.
 *
 * @module
 */

/** The default of `RABBITMQ_PASSWORD` in docker-compose.yml. */
export const DEFAULT_BROKER_PASSWORD = "local-default-password";

/** True when the AMQP URL's password is {@linkcode DEFAULT_BROKER_PASSWORD}. */
export function usesDefaultBrokerPassword(amqpUrl: string): boolean {
  try {
    return decodeURIComponent(new URL(amqpUrl).password) === DEFAULT_BROKER_PASSWORD;
  } catch {
    return false;
  }
}
