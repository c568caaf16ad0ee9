/**
 * The message envelope: `{"id", "timestamp", "data"}` as JSON, with the id
 * also in the AMQP `messageId`. Decoding checks size, content type, JSON,
 * envelope and the stream's payload schema, and says exactly what is wrong.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { Message } from "../define_function.ts";
import type { Stream, StreamData } from "../define_stream.ts";
import { MessageInvalidError } from "../errors.ts";
import type { Delivery, OutgoingMessage } from "./transport.ts";

/** The content type of every message. */
export const CONTENT_TYPE = "application/json";

/** Ids are short printable tokens: never paths, never markup. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const envelope = z.strictObject({
  id: z.string().regex(ID_PATTERN, "must be 1 to 128 letters, digits or . _ : -"),
  timestamp: z.number().int().nonnegative(),
  data: z.unknown(),
});

/** Encodes one message for a stream. */
export function encodeMessage<S extends Stream>(
  id: string,
  data: StreamData<S>,
  timestamp: number,
): OutgoingMessage {
  if (!ID_PATTERN.test(id)) throw new TypeError(`Cannot encode message: invalid id "${id}"`);
  const body = Buffer.from(JSON.stringify({ id, timestamp, data }));
  return { id, body, timestamp };
}

/** Options of {@linkcode decodeDelivery}. */
export interface DecodeDeliveryOptions {
  /** Largest body accepted. @default 65536 */
  maxBytes?: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  const subject = path === "" ? "body" : `field "${path}"`;
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return `${subject} is missing`;
    const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`;
    return `${subject} must be ${expected}, got ${typeOf(issue.input)}`;
  }
  if (issue.code === "unrecognized_keys") {
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${
      issue.keys.map((key) => `"${[path, key].filter(Boolean).join(".")}"`).join(", ")
    }`;
  }
  if (issue.code === "too_small" || issue.code === "too_big") return `${subject} ${bound(issue)}`;
  return `${subject} ${issue.message}`;
}

const EXPECTED: Partial<Record<string, string>> = { object: "an object", int: "a whole number" };

// zod's own wording ("Too small: expected number to be >=0") would break the sentence.
function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const limit = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
  const most = issue.code === "too_small" ? "least" : "most";
  if (issue.origin === "string") {
    return `must have at ${most} ${limit} character${limit === 1 ? "" : "s"}`;
  }
  if (issue.inclusive === false) {
    return `must be ${issue.code === "too_small" ? "above" : "below"} ${limit}`;
  }
  return `must be at ${most} ${limit}`;
}

/**
 * Why a body over `MAX_MESSAGE_BYTES` was refused unread. Only the stream and
 * the size: a dead letter refused by the broker carries nothing more.
 */
export function oversizedReason(stream: string, bytes: number): string {
  return `Cannot parse message "${stream}": body of ${bytes} bytes exceeds MAX_MESSAGE_BYTES`;
}

function invalid(stream: string, detail: string): MessageInvalidError {
  return new MessageInvalidError(`Cannot parse message "${stream}": ${detail}`);
}

function parseJson(stream: string, body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body));
  } catch {
    throw invalid(stream, "body is not UTF-8 JSON");
  }
}

/** Decodes and validates a delivery; throws {@linkcode MessageInvalidError}. */
export function decodeDelivery<S extends Stream>(
  stream: S,
  delivery: Delivery,
  options: DecodeDeliveryOptions = {},
): Message<S> {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  if (delivery.body.byteLength > maxBytes) {
    throw invalid(stream.name, `body of ${delivery.body.byteLength} bytes exceeds ${maxBytes}`);
  }
  if (delivery.contentType !== undefined && delivery.contentType !== CONTENT_TYPE) {
    throw invalid(stream.name, `content type "${delivery.contentType}" is not "${CONTENT_TYPE}"`);
  }
  const outer = envelope.safeParse(parseJson(stream.name, delivery.body), { reportInput: true });
  if (!outer.success) throw invalid(stream.name, describeIssue(outer.error.issues[0]!));
  const { id, timestamp, data } = outer.data;
  if (delivery.messageId !== undefined && delivery.messageId !== id) {
    throw invalid(stream.name, `messageId "${delivery.messageId}" differs from id "${id}"`);
  }
  const inner = stream.schema.safeParse(data, { reportInput: true });
  if (!inner.success) {
    const issue = inner.error.issues[0]!;
    throw invalid(stream.name, describeIssue({ ...issue, path: ["data", ...issue.path] }));
  }
  return {
    stream: stream.name,
    id,
    timestamp,
    data: inner.data as StreamData<S>,
    attempt: delivery.attempt,
  };
}
