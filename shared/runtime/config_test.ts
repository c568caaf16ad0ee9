import assert from "node:assert/strict";
import { CONFIG_VARIABLES, loadConfig } from "./config.ts";
import { ConfigError } from "../errors.ts";

Deno.test("loadConfig() applies every default to an empty environment", () => {
  const config = loadConfig({});
  assert.deepEqual(config, {
    amqpUrls: undefined,
    httpHost: "127.0.0.1",
    httpPort: 8080,
    amqpHeartbeatS: 10,
    livenessTimeoutMs: 60_000,
    prefetch: 200,
    maxAttempts: 5,
    retryDelayMs: 500,
    maxMessageBytes: 8192,
    shutdownTimeoutMs: 10_000,
    logLevel: "info",
    consumerGroup: undefined,
  });
  assert.ok(Object.isFrozen(config));
});

Deno.test("loadConfig() reads the variables it documents", () => {
  const config = loadConfig({
    AMQP_URL: "amqp://user:secret@rabbitmq:5672",
    HTTP_HOST: "0.0.0.0",
    HTTP_PORT: "9000",
    AMQP_HEARTBEAT_S: "0",
    LIVENESS_TIMEOUT_MS: "5000",
    PREFETCH: " 50 ",
    RETRY_DELAY_MS: "0",
    LOG_LEVEL: "debug",
    CONSUMER_GROUP: " model-forest ",
  });
  assert.deepEqual(config.amqpUrls, ["amqp://user:secret@rabbitmq:5672"]);
  assert.equal(config.httpHost, "0.0.0.0");
  assert.equal(config.httpPort, 9000);
  assert.equal(config.amqpHeartbeatS, 0);
  assert.equal(config.livenessTimeoutMs, 5000);
  assert.equal(config.prefetch, 50);
  assert.equal(config.retryDelayMs, 0);
  assert.equal(config.logLevel, "debug");
  assert.equal(config.consumerGroup, "model-forest");
});

Deno.test("loadConfig() stops on a bad value with one line naming the variable", async (t) => {
  const cases: [Record<string, string>, string, string][] = [
    [{ HTTP_PORT: "http" }, "HTTP_PORT", 'Invalid HTTP_PORT "http": expected a whole number'],
    [
      { HTTP_PORT: "70000" },
      "HTTP_PORT",
      'Invalid HTTP_PORT "70000": expected a whole number from 0 to 65535',
    ],
    [
      { PREFETCH: "0" },
      "PREFETCH",
      'Invalid PREFETCH "0": expected a whole number from 1 to 65535',
    ],
    [
      { AMQP_HEARTBEAT_S: "601" },
      "AMQP_HEARTBEAT_S",
      'Invalid AMQP_HEARTBEAT_S "601": expected a whole number from 0 to 600',
    ],
    [
      { LIVENESS_TIMEOUT_MS: "10" },
      "LIVENESS_TIMEOUT_MS",
      'Invalid LIVENESS_TIMEOUT_MS "10": expected a whole number from 1000 to 9007199254740991',
    ],
    [
      { LOG_LEVEL: "loud" },
      "LOG_LEVEL",
      'Invalid LOG_LEVEL "loud": expected one of debug, info, warn, error',
    ],
    [
      { CONSUMER_GROUP: "Model.B" },
      "CONSUMER_GROUP",
      'Invalid CONSUMER_GROUP "Model.B": expected a lowercase letter, then up to 62 lowercase letters, digits, "-" or "_"',
    ],
    [{ AMQP_URL: "not a url" }, "AMQP_URL", "Invalid AMQP_URL: not a URL"],
    [
      { AMQP_URL: "http://rabbitmq" },
      "AMQP_URL",
      'Invalid AMQP_URL: expected the scheme amqp: or amqps:, got "http:"',
    ],
    [
      { AMQP_URL: "amqp://a:5672,,amqp://c:5672" },
      "AMQP_URL",
      "Invalid AMQP_URL: URL 2 of 3 not a URL",
    ],
    [
      { AMQP_URL: "amqp://a:5672, http://b" },
      "AMQP_URL",
      'Invalid AMQP_URL: URL 2 of 2 expected the scheme amqp: or amqps:, got "http:"',
    ],
  ];
  for (const [env, variable, message] of cases) {
    await t.step(variable + " " + Object.values(env)[0], () => {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, variable);
        assert.equal(error.message, message);
        assert.ok(!error.message.includes("\n"));
        return true;
      });
    });
  }
});

Deno.test("loadConfig() never echoes the AMQP_URL password in its errors", () => {
  for (const url of ["http://user:hunter2@host", "amqp://a, amqps://user:hunter2@b:x"]) {
    assert.throws(() => loadConfig({ AMQP_URL: url }), (error: unknown) => {
      assert.ok(error instanceof Error && !error.message.includes("hunter2"));
      return true;
    });
  }
});

Deno.test("loadConfig() reads several comma-separated AMQP_URLs in their order", () => {
  const config = loadConfig({
    AMQP_URL: "amqp://u:p@rabbit-0:5672, amqp://u:p@rabbit-1:5672 ,amqps://u:p@rabbit-2",
  });
  assert.deepEqual(config.amqpUrls, [
    "amqp://u:p@rabbit-0:5672",
    "amqp://u:p@rabbit-1:5672",
    "amqps://u:p@rabbit-2",
  ]);
  assert.ok(Object.isFrozen(config.amqpUrls));
});

Deno.test("CONFIG_VARIABLES lists each variable once", () => {
  assert.deepEqual(CONFIG_VARIABLES, [
    "AMQP_URL",
    "HTTP_HOST",
    "HTTP_PORT",
    "AMQP_HEARTBEAT_S",
    "LIVENESS_TIMEOUT_MS",
    "PREFETCH",
    "MAX_ATTEMPTS",
    "RETRY_DELAY_MS",
    "MAX_MESSAGE_BYTES",
    "SHUTDOWN_TIMEOUT_MS",
    "LOG_LEVEL",
    "CONSUMER_GROUP",
  ]);
});
