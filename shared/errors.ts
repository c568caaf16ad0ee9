/**
 * Errors the runtime and handlers tell apart by `code`, never by message text.
 *
 * @module
 */

/** Codes of the runtime's domain errors. */
export type PipelineErrorCode =
  | "CONFIG_INVALID"
  | "FUNCTION_NOT_FOUND"
  | "MESSAGE_INVALID"
  | "PERMANENT"
  | "TRANSPORT_CLOSED"
  | "UNROUTABLE"
  | "PUBLISH_REJECTED";

/** Base class of the runtime's domain errors. */
export class PipelineError extends Error {
  /** A stable code to branch on. */
  readonly code: PipelineErrorCode;

  /** Creates an error with a stable `code`. */
  constructor(code: PipelineErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A handler throws this to say "never retry this message": it goes straight to
 * the dead-letter queue with the error's message as its reason.
 */
export class PermanentError extends PipelineError {
  /** Creates a permanent failure. */
  constructor(message: string, options?: ErrorOptions) {
    super("PERMANENT", message, options);
  }
}

/** A message that cannot be decoded or fails its stream's schema. */
export class MessageInvalidError extends PipelineError {
  /** Creates a decoding failure. */
  constructor(message: string, options?: ErrorOptions) {
    super("MESSAGE_INVALID", message, options);
  }
}

/** An environment variable with a value the runtime cannot use. */
export class ConfigError extends PipelineError {
  /** The variable at fault. */
  readonly variable: string;

  /** Creates a configuration error naming the variable. */
  constructor(variable: string, message: string, options?: ErrorOptions) {
    super("CONFIG_INVALID", message, options);
    this.variable = variable;
  }
}

/** True when a failure must not be retried. */
export function isPermanent(error: unknown): boolean {
  return error instanceof PipelineError &&
    (error.code === "PERMANENT" || error.code === "MESSAGE_INVALID");
}
