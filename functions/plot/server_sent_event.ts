/**
 * One Server-Sent Events message, encoded as the HTML standard's
 * `text/event-stream` says.
 *
 * Written by hand: the format is three kinds of line, and the npm SSE servers
 * (better-sse, sse-channel) are built on Node's `http` responses, not on the
 * web `Response` that Deno's server and the runtime's routes use.
 *
 * @module
 */

/** The fields of one event. */
export interface ServerSentEvent {
  /** The event's type; the page listens for it by name. */
  readonly event: string;
  /** The payload; each of its lines becomes a `data:` line. */
  readonly data: string;
  /** The event id a reconnecting browser sends back as `Last-Event-ID`. */
  readonly id?: string;
  /** How long a browser waits before it reconnects, in milliseconds. */
  readonly retryMs?: number;
}

/** Encodes one event, blank line included. */
export function serverSentEvent(message: ServerSentEvent): string {
  for (const [field, value] of [["event", message.event], ["id", message.id ?? ""]] as const) {
    if (/[\r\n]/.test(value)) {
      throw new TypeError(
        `Cannot encode a server-sent event: ${field} "${value}" has a line break`,
      );
    }
  }
  const lines = [`event: ${message.event}`];
  if (message.id !== undefined) lines.push(`id: ${message.id}`);
  if (message.retryMs !== undefined) lines.push(`retry: ${Math.round(message.retryMs)}`);
  for (const line of message.data.split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return `${lines.join("\n")}\n\n`;
}
