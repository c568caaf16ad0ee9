/**
 * The runtime's own settings: the broker, the HTTP port, prefetch, retries,
 * shutdown and logging. Each function's settings are its own (see
 * {@linkcode loadFunction}); a handler never sees these.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { LogLevel } from "../logger.ts";
import {
  type Env,
  oneOf,
  readSettings,
  type Setting,
  settingVariables,
  text,
  wholeNumber,
} from "../settings.ts";

export type { Env };

/** The resolved runtime configuration; every field is set. */
export interface Config {
  /**
   * RabbitMQ's URLs (several for a cluster's nodes, tried in turn);
   * `undefined` selects the embedded broker.
   */
  readonly amqpUrls: readonly string[] | undefined;
  /** 127.0.0.1 unless set; containers set 0.0.0.0. */
  readonly httpHost: string;
  /** 0 picks a free port (tests, several functions in one process). */
  readonly httpPort: number;
  /** AMQP heartbeat in seconds; 0 turns it off. */
  readonly amqpHeartbeatS: number;
  /** No progress for this long while there is work fails `/healthz`. */
  readonly livenessTimeoutMs: number;
  readonly prefetch: number;
  readonly maxAttempts: number;
  /** The delay before the first retry of a failed message; it doubles with each attempt. */
  readonly retryDelayMs: number;
  readonly maxMessageBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  /**
   * The consumer group the function subscribes as (its queues are
   * `<stream>.<group>`); `undefined` means the function's name. Two
   * deployments of one function with different groups each get every message.
   */
  readonly consumerGroup: string | undefined;
}

/** One URL or several, comma-separated; never quoted in errors (they hold passwords). */
const amqpUrls: Setting<readonly string[] | undefined> = {
  variable: "AMQP_URL",
  read(env) {
    const raw = env.AMQP_URL?.trim();
    if (raw === undefined || raw === "") return undefined;
    const parts = raw.split(",").map((part) => part.trim());
    return Object.freeze(parts.map((part, index) => {
      const which = parts.length === 1 ? "" : ` URL ${index + 1} of ${parts.length}`;
      if (!URL.canParse(part)) {
        throw new ConfigError("AMQP_URL", `Invalid AMQP_URL:${which} not a URL`);
      }
      const { protocol } = new URL(part);
      if (protocol !== "amqp:" && protocol !== "amqps:") {
        throw new ConfigError(
          "AMQP_URL",
          `Invalid AMQP_URL:${which} expected the scheme amqp: or amqps:, got "${protocol}"`,
        );
      }
      return part;
    }));
  },
};

const GROUP = /^[a-z][a-z0-9_-]{0,62}$/;

const consumerGroup: Setting<string | undefined> = {
  variable: "CONSUMER_GROUP",
  read(env) {
    const raw = env.CONSUMER_GROUP?.trim();
    if (raw === undefined || raw === "") return undefined;
    if (!GROUP.test(raw)) {
      throw new ConfigError(
        "CONSUMER_GROUP",
        `Invalid CONSUMER_GROUP "${raw}": expected a lowercase letter, then up to 62 lowercase letters, digits, "-" or "_"`,
      );
    }
    return raw;
  },
};

/** The runtime's settings, by field. */
export const RUNTIME_SETTINGS = {
  amqpUrls,
  httpHost: text("HTTP_HOST", "127.0.0.1"),
  httpPort: wholeNumber("HTTP_PORT", { fallback: 8080, min: 0, max: 65535 }),
  amqpHeartbeatS: wholeNumber("AMQP_HEARTBEAT_S", { fallback: 10, min: 0, max: 600 }),
  livenessTimeoutMs: wholeNumber("LIVENESS_TIMEOUT_MS", { fallback: 60_000, min: 1000 }),
  prefetch: wholeNumber("PREFETCH", { fallback: 200, min: 1, max: 65535 }),
  maxAttempts: wholeNumber("MAX_ATTEMPTS", { fallback: 5, min: 1, max: 100 }),
  retryDelayMs: wholeNumber("RETRY_DELAY_MS", { fallback: 500, min: 0, max: 60_000 }),
  maxMessageBytes: wholeNumber("MAX_MESSAGE_BYTES", {
    fallback: 8 * 1024,
    min: 256,
    max: 16 * 1024 * 1024,
  }),
  shutdownTimeoutMs: wholeNumber("SHUTDOWN_TIMEOUT_MS", { fallback: 10_000, min: 0 }),
  logLevel: oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"], "info"),
  consumerGroup,
} as const;

/** Every variable the runtime reads, for permission sets and the README. */
export const CONFIG_VARIABLES: readonly string[] = settingVariables(RUNTIME_SETTINGS);

/** Reads and checks the runtime's configuration once; the result is frozen. */
export function loadConfig(env: Env): Config {
  return readSettings(RUNTIME_SETTINGS, env);
}
