/**
 * The live page's updates: the latest {@linkcode LiveSnapshot}, pushed to
 * every connected page as a Server-Sent Event.
 *
 * Each page's stream is pulled: it is handed the newest snapshot when it can
 * take one, so a slow page skips versions instead of queueing them, and the
 * memory held per page stays one pending read.
 *
 * @module
 */
import type { LiveSnapshot } from "./live_snapshot.ts";
import { serverSentEvent } from "./server_sent_event.ts";

/** The name of the event the page listens for. */
export const SNAPSHOT_EVENT = "snapshot";

/** Options of {@linkcode LiveFeed}. */
export interface LiveFeedOptions {
  /** Pages connected at once at most; more are refused. @default 64 */
  maxClients?: number;
  /** How long a disconnected page waits before it reconnects. @default 2000 */
  retryMs?: number;
}

interface Client {
  sent: number;
  controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  wake: (() => void) | undefined;
}

/** Holds the newest snapshot and streams it to every subscribed page. */
export class LiveFeed {
  readonly #clients = new Set<Client>();
  readonly #maxClients: number;
  readonly #retryMs: number;
  readonly #encoder = new TextEncoder();
  #snapshot: LiveSnapshot | undefined;
  #encoded: Uint8Array | undefined;
  #closed = false;

  /** Creates a feed with no snapshot yet. */
  constructor(options: LiveFeedOptions = {}) {
    this.#maxClients = options.maxClients ?? 64;
    this.#retryMs = options.retryMs ?? 2000;
  }

  /** The newest snapshot, if any. */
  get snapshot(): LiveSnapshot | undefined {
    return this.#snapshot;
  }

  /** Pages connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Replaces the snapshot and wakes every page waiting for one. */
  publish(snapshot: LiveSnapshot): void {
    if (this.#closed) return;
    if (this.#snapshot !== undefined && snapshot.version <= this.#snapshot.version) {
      throw new RangeError(
        `Cannot publish snapshot "${snapshot.version}": version ${this.#snapshot.version} was published`,
      );
    }
    this.#snapshot = snapshot;
    // Encoded once, whatever the number of pages.
    this.#encoded = this.#encoder.encode(serverSentEvent({
      event: SNAPSHOT_EVENT,
      id: String(snapshot.version),
      retryMs: this.#retryMs,
      data: JSON.stringify(snapshot),
    }));
    for (const client of this.#clients) this.#wake(client);
  }

  /**
   * A `text/event-stream` body for one page: the newest snapshot at once if
   * there is one, then each newer one. Undefined when the feed is closed or full.
   */
  subscribe(): ReadableStream<Uint8Array> | undefined {
    if (this.#closed || this.#clients.size >= this.#maxClients) return undefined;
    const client: Client = { sent: 0, controller: undefined, wake: undefined };
    this.#clients.add(client);
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        client.controller = controller;
      },
      pull: async (controller) => {
        // Closing or cancelling removes the client, which ends the wait.
        while (this.#clients.has(client) && (this.#snapshot?.version ?? 0) <= client.sent) {
          await new Promise<void>((wake) => client.wake = wake);
        }
        if (!this.#clients.has(client)) return;
        client.sent = this.#snapshot!.version;
        controller.enqueue(this.#encoded!);
      },
      cancel: () => {
        this.#clients.delete(client);
        this.#wake(client);
      },
    }, { highWaterMark: 0 });
  }

  /** Ends every page's stream and refuses new ones; may be called twice. */
  close(): void {
    this.#closed = true;
    for (const client of this.#clients) {
      this.#clients.delete(client);
      try {
        client.controller?.close();
      } catch {
        // Already closed or errored by the page going away: nothing to end.
      }
      this.#wake(client);
    }
  }

  #wake(client: Client): void {
    const wake = client.wake;
    client.wake = undefined;
    wake?.();
  }
}
