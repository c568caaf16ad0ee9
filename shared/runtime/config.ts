/**
 * The one place that reads the environment: every variable, its default and
 * its check. A bad value stops the start with one line naming the variable.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { LogLevel } from "../logger.ts";

/** The resolved configuration; every field is set. */
export interface Config {
  /** RabbitMQ URL; `undefined` selects the embedded broker. */
  readonly amqpUrl: string | undefined;
  readonly httpHost: string;
  /** 0 picks a free port (tests, several functions in one process). */
  readonly httpPort: number;
  readonly prefetch: number;
  readonly maxAttempts: number;
  readonly maxMessageBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly logsDir: string;
  readonly dataDir: string;
  readonly features: {
    readonly intervalMs: number;
    /** `Infinity` when unset. */
    readonly limit: number;
    /** `undefined` when unset: rows are chosen at random. */
    readonly seed: number | undefined;
  };
  readonly model: {
    readonly kind: "linear" | "sum";
    readonly delayMs: number;
  };
  readonly metrics: {
    readonly pendingMax: number;
    readonly pendingTtlMs: number;
    readonly dedupWindow: number;
    readonly flushMs: number;
  };
  readonly plot: {
    readonly intervalMs: number;
    readonly width: number;
    readonly height: number;
  };
}

/** Every variable the runtime reads, for permission sets and the README. */
export const CONFIG_VARIABLES = [
  "AMQP_URL",
  "HTTP_HOST",
  "HTTP_PORT",
  "PREFETCH",
  "MAX_ATTEMPTS",
  "MAX_MESSAGE_BYTES",
  "SHUTDOWN_TIMEOUT_MS",
  "LOG_LEVEL",
  "LOGS_DIR",
  "DATA_DIR",
  "FEATURES_INTERVAL_MS",
  "FEATURES_LIMIT",
  "FEATURES_SEED",
  "MODEL",
  "MODEL_DELAY_MS",
  "METRICS_PENDING_MAX",
  "METRICS_PENDING_TTL_MS",
  "METRICS_DEDUP_WINDOW",
  "METRICS_FLUSH_MS",
  "PLOT_INTERVAL_MS",
  "PLOT_WIDTH",
  "PLOT_HEIGHT",
] as const;

/** The environment as a plain record. */
export type Env = Readonly<Record<string, string | undefined>>;

interface IntRule {
  readonly fallback: number;
  readonly min: number;
  readonly max?: number;
}

function integer(env: Env, variable: string, rule: IntRule): number {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === "") return rule.fallback;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^-?\d+$/.test(raw)) {
    throw new ConfigError(variable, `Invalid ${variable} "${raw}": expected a whole number`);
  }
  const value = Number(raw);
  if (value < rule.min || value > max) {
    throw new ConfigError(
      variable,
      `Invalid ${variable} "${raw}": expected a whole number from ${rule.min} to ${max}`,
    );
  }
  return value;
}

function oneOf<T extends string>(
  env: Env,
  variable: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(
      variable,
      `Invalid ${variable} "${raw}": expected one of ${allowed.join(", ")}`,
    );
  }
  return raw as T;
}

function text(env: Env, variable: string, fallback: string): string {
  const raw = env[variable]?.trim();
  return raw === undefined || raw === "" ? fallback : raw;
}

function amqpUrl(env: Env): string | undefined {
  const raw = env.AMQP_URL?.trim();
  if (raw === undefined || raw === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new ConfigError("AMQP_URL", "Invalid AMQP_URL: not a URL", { cause });
  }
  if (url.protocol !== "amqp:" && url.protocol !== "amqps:") {
    throw new ConfigError(
      "AMQP_URL",
      `Invalid AMQP_URL: expected the scheme amqp: or amqps:, got "${url.protocol}"`,
    );
  }
  return raw;
}

/** Reads and checks the configuration once; the result is frozen. */
export function loadConfig(env: Env): Config {
  const optionalInt = (variable: string, rule: IntRule): number | undefined =>
    env[variable]?.trim() ? integer(env, variable, rule) : undefined;
  return deepFreeze({
    amqpUrl: amqpUrl(env),
    httpHost: text(env, "HTTP_HOST", "0.0.0.0"),
    httpPort: integer(env, "HTTP_PORT", { fallback: 8080, min: 0, max: 65535 }),
    prefetch: integer(env, "PREFETCH", { fallback: 200, min: 1, max: 65535 }),
    maxAttempts: integer(env, "MAX_ATTEMPTS", { fallback: 5, min: 1, max: 100 }),
    maxMessageBytes: integer(env, "MAX_MESSAGE_BYTES", {
      fallback: 64 * 1024,
      min: 256,
      max: 16 * 1024 * 1024,
    }),
    shutdownTimeoutMs: integer(env, "SHUTDOWN_TIMEOUT_MS", { fallback: 10_000, min: 0 }),
    logLevel: oneOf(env, "LOG_LEVEL", ["debug", "info", "warn", "error"], "info"),
    logsDir: text(env, "LOGS_DIR", "./logs"),
    dataDir: text(env, "DATA_DIR", "./data"),
    features: {
      intervalMs: integer(env, "FEATURES_INTERVAL_MS", { fallback: 1000, min: 0 }),
      limit: optionalInt("FEATURES_LIMIT", { fallback: 0, min: 0 }) ?? Infinity,
      seed: optionalInt("FEATURES_SEED", { fallback: 0, min: 0, max: 2 ** 32 - 1 }),
    },
    model: {
      kind: oneOf(env, "MODEL", ["linear", "sum"], "linear"),
      delayMs: integer(env, "MODEL_DELAY_MS", { fallback: 0, min: 0, max: 60_000 }),
    },
    metrics: {
      pendingMax: integer(env, "METRICS_PENDING_MAX", { fallback: 10_000, min: 1 }),
      pendingTtlMs: integer(env, "METRICS_PENDING_TTL_MS", { fallback: 30_000, min: 1 }),
      dedupWindow: integer(env, "METRICS_DEDUP_WINDOW", { fallback: 1_000_000, min: 1 }),
      flushMs: integer(env, "METRICS_FLUSH_MS", { fallback: 5, min: 0, max: 10_000 }),
    },
    plot: {
      intervalMs: integer(env, "PLOT_INTERVAL_MS", { fallback: 5000, min: 10 }),
      width: integer(env, "PLOT_WIDTH", { fallback: 800, min: 100, max: 8000 }),
      height: integer(env, "PLOT_HEIGHT", { fallback: 500, min: 100, max: 8000 }),
    },
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const field of Object.values(value)) {
    if (typeof field === "object" && field !== null) deepFreeze(field);
  }
  return Object.freeze(value);
}
