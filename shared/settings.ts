/**
 * Settings: the environment variables a function (or the runtime) reads, each
 * with its schema and default. A function declares its own beside its code;
 * the runtime reads them once at start, and a bad value stops the start with
 * one line naming the variable: `Invalid PREFETCH "0": expected a whole number
 * from 1 to 65535`.
 *
 * @module
 */
import { z } from "zod";
import { ConfigError } from "./errors.ts";

/** The environment as a plain record. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One environment variable, its schema and its default. */
export interface Setting<T> {
  /** The variable's name, such as `SHOP_SIZE`. */
  readonly variable: string;
  /** Reads the value; throws {@linkcode ConfigError} naming the variable. */
  read(env: Env): T;
}

/** A function's settings, by the name its handler sees them under. */
export type Settings = Readonly<Record<string, Setting<unknown>>>;

/** The resolved values of some settings. */
export type SettingValues<S extends Settings> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

/** A setting whose schema parses the trimmed text of the variable; unset or empty gives `fallback`. */
export function setting<T>(
  variable: string,
  schema: z.ZodType<T, string>,
  fallback: T,
): Setting<T> {
  return {
    variable,
    read(env) {
      const raw = env[variable]?.trim();
      if (raw === undefined || raw === "") return fallback;
      const result = schema.safeParse(raw);
      if (result.success) return result.data;
      const detail = result.error.issues[0]?.message ?? "invalid";
      throw new ConfigError(variable, `Invalid ${variable} "${raw}": ${detail}`);
    },
  };
}

/** Options of {@linkcode wholeNumber}. */
export interface WholeNumberOptions<F extends number | undefined> {
  /** The value when the variable is unset. */
  fallback: F;
  /** @default 0 */
  min?: number;
  /** @default Number.MAX_SAFE_INTEGER */
  max?: number;
}

/** A whole number within bounds. */
export function wholeNumber<F extends number | undefined>(
  variable: string,
  options: WholeNumberOptions<F>,
): Setting<number | F> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const range = `expected a whole number from ${min} to ${max}`;
  const schema = z.string()
    .regex(/^-?\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().min(min, range).max(max, range));
  return setting<number | F>(variable, schema, options.fallback);
}

/** One of a fixed list of words. */
export function oneOf<const T extends string>(
  variable: string,
  allowed: readonly T[],
  fallback: T,
): Setting<T> {
  const schema = z.string().refine(
    (raw): raw is T => (allowed as readonly string[]).includes(raw),
    `expected one of ${allowed.join(", ")}`,
  ) as unknown as z.ZodType<T, string>;
  return setting(variable, schema, fallback);
}

/** Free text, such as a directory. */
export function text(variable: string, fallback: string): Setting<string> {
  return setting(variable, z.string(), fallback);
}

/** Reads every setting once; the result is frozen. */
export function readSettings<S extends Settings>(settings: S, env: Env): SettingValues<S> {
  const values: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(settings)) values[key] = entry.read(env);
  return Object.freeze(values) as SettingValues<S>;
}

/** The variables some settings read, for permission sets and the README. */
export function settingVariables(settings: Settings): string[] {
  return Object.values(settings).map((entry) => entry.variable);
}
