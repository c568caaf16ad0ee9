import assert from "node:assert/strict";
import { DEFAULT_BROKER_PASSWORD, usesDefaultBrokerPassword } from "./default_broker_password.ts";

Deno.test("usesDefaultBrokerPassword() recognises only compose's default password", () => {
  assert.equal(
    usesDefaultBrokerPassword(`amqp://pipeline:${DEFAULT_BROKER_PASSWORD}@rabbitmq:5672`),
    true,
  );
  assert.equal(usesDefaultBrokerPassword("amqp://pipeline:s3cret@rabbitmq:5672"), false);
  assert.equal(usesDefaultBrokerPassword("amqp://rabbitmq:5672"), false);
  assert.equal(usesDefaultBrokerPassword(`amqp://${DEFAULT_BROKER_PASSWORD}@rabbitmq`), false);
  assert.equal(usesDefaultBrokerPassword("not a url"), false);
});
