/**
 * Structured logs: one JSON object a line with time, level, function, event
 * and, where there is one, the message id.
 *
 * @module
 */

/** Log levels, least severe first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields of one log record besides time, level and function. */
export type LogFields = Record<string, unknown>;

/** The logger every part of the runtime and every function receives. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Options of {@linkcode createLogger}. */
export interface CreateLoggerOptions {
  /** The lowest level written. @default "info" */
  level?: LogLevel;
  /** Where a finished line goes. @default a write to stdout */
  write?: (line: string) => void;
  /** Clock. @default Date.now */
  now?: () => number;
}

const encoder = new TextEncoder();

function writeStdout(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

function describe(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined
      ? { name: value.name, message: value.message }
      : { name: value.name, code, message: value.message };
  }
  return value;
}

/** Creates a JSON-lines logger for one function. */
export function createLogger(fn: string, options: CreateLoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  const write = options.write ?? writeStdout;
  const now = options.now ?? Date.now;
  const log = (level: LogLevel) => (event: string, fields: LogFields = {}) => {
    if (LEVELS[level] < min) return;
    const record: LogFields = {
      time: new Date(now()).toISOString(),
      level,
      function: fn,
      event,
    };
    for (const [key, value] of Object.entries(fields)) record[key] = describe(value);
    write(JSON.stringify(record));
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** A logger that writes nothing, for tests. */
export const silentLogger: Logger = createLogger("silent", { write: () => {} });

/** A logger that adds `fields` to every record of `logger` (a record's own fields win). */
export function loggerWith(logger: Logger, fields: LogFields): Logger {
  const log = (level: LogLevel) => (event: string, own: LogFields = {}) =>
    logger[level](event, { ...fields, ...own });
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
