import assert from "node:assert/strict";
import { CONFIG_VARIABLES, loadConfig } from "./config.ts";
import { ConfigError } from "../errors.ts";

Deno.test("loadConfig() applies every default to an empty environment", () => {
  const config = loadConfig({});
  assert.equal(config.amqpUrl, undefined);
  assert.equal(config.httpHost, "0.0.0.0");
  assert.equal(config.httpPort, 8080);
  assert.equal(config.prefetch, 200);
  assert.equal(config.maxAttempts, 5);
  assert.equal(config.logsDir, "./logs");
  assert.equal(config.dataDir, "./data");
  assert.deepEqual(config.features, { intervalMs: 1000, limit: Infinity, seed: undefined });
  assert.deepEqual(config.model, { kind: "linear", delayMs: 0 });
  assert.deepEqual(config.plot, { intervalMs: 5000, width: 800, height: 500 });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.features));
});

Deno.test("loadConfig() reads the variables it documents", () => {
  const config = loadConfig({
    AMQP_URL: "amqp://user:secret@rabbitmq:5672",
    HTTP_PORT: "9000",
    PREFETCH: " 50 ",
    FEATURES_INTERVAL_MS: "0",
    FEATURES_LIMIT: "1000",
    FEATURES_SEED: "42",
    MODEL: "sum",
    LOG_LEVEL: "debug",
  });
  assert.equal(config.amqpUrl, "amqp://user:secret@rabbitmq:5672");
  assert.equal(config.httpPort, 9000);
  assert.equal(config.prefetch, 50);
  assert.deepEqual(config.features, { intervalMs: 0, limit: 1000, seed: 42 });
  assert.equal(config.model.kind, "sum");
  assert.equal(config.logLevel, "debug");
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
      { FEATURES_INTERVAL_MS: "1.5" },
      "FEATURES_INTERVAL_MS",
      'Invalid FEATURES_INTERVAL_MS "1.5": expected a whole number',
    ],
    [{ MODEL: "forest" }, "MODEL", 'Invalid MODEL "forest": expected one of linear, sum'],
    [{ AMQP_URL: "not a url" }, "AMQP_URL", "Invalid AMQP_URL: not a URL"],
    [
      { AMQP_URL: "http://rabbitmq" },
      "AMQP_URL",
      'Invalid AMQP_URL: expected the scheme amqp: or amqps:, got "http:"',
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
  assert.throws(() => loadConfig({ AMQP_URL: "http://user:hunter2@host" }), (error: unknown) => {
    assert.ok(error instanceof Error && !error.message.includes("hunter2"));
    return true;
  });
});

Deno.test("CONFIG_VARIABLES lists each variable once", () => {
  assert.equal(new Set(CONFIG_VARIABLES).size, CONFIG_VARIABLES.length);
});
