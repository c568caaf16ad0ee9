/**
 * The brokers of a cluster, tried in turn: the connection goes to the current
 * one, and {@linkcode BrokerList.next} moves on after a failed attempt or a
 * lost connection.
 *
 * Written by hand because amqplib's recovery (which keeps the backoff, the
 * retries and the `setup` hook) reconnects to one address only. It reads the
 * address afresh on every attempt when given an object rather than a string,
 * so {@linkcode BrokerList.target} is such an object whose fields follow the
 * current URL.
 *
 * @module
 */
import type { Options } from "amqplib";

/** Options of {@linkcode BrokerList}. */
export interface BrokerListOptions {
  /** The heartbeat asked for when a URL names none (its `heartbeat` query wins). @default unset */
  heartbeatS?: number;
}

/** Several broker URLs, one current at a time. */
export class BrokerList {
  readonly #urls: readonly URL[];
  readonly #raw: readonly string[];
  readonly #heartbeatS: number | undefined;
  #index = 0;

  /** Takes one URL at least, `amqp:` or `amqps:`. */
  constructor(urls: readonly string[], options: BrokerListOptions = {}) {
    if (urls.length === 0) throw new RangeError("Cannot list brokers: no URL given");
    this.#raw = [...urls];
    this.#urls = urls.map((url) => new URL(url));
    this.#heartbeatS = options.heartbeatS;
  }

  /** How many brokers. */
  get size(): number {
    return this.#urls.length;
  }

  /** The URL the next attempt goes to, as given. */
  get current(): string {
    return this.#raw[this.#index]!;
  }

  /** Moves to the next URL, back to the first after the last. */
  next(): void {
    this.#index = (this.#index + 1) % this.#urls.length;
  }

  /**
   * What to hand amqplib's `connect`: an object whose fields are read from the
   * current URL each time amqplib opens a connection, decoded as amqplib
   * decodes a URL string (credentials, vhost, and the query's `heartbeat`,
   * `frameMax`, `channelMax`, `locale`); the heartbeat of the options when the
   * URL names none.
   */
  get target(): Options.Connect {
    const url = () => this.#urls[this.#index]!;
    const heartbeatS = this.#heartbeatS;
    const query = (name: string): number | undefined => {
      const value = url().searchParams.get(name);
      return value === null ? undefined : Number(value);
    };
    return {
      get protocol() {
        return url().protocol.slice(0, -1);
      },
      get hostname() {
        return url().hostname.replace(/^\[|\]$/g, "");
      },
      get port() {
        return url().port === "" ? undefined : Number(url().port);
      },
      // Both unset means amqplib's default user, as with a URL string.
      get username() {
        const { username, password } = url();
        return username === "" && password === "" ? undefined : decodeURIComponent(username);
      },
      get password() {
        const { username, password } = url();
        return username === "" && password === "" ? undefined : decodeURIComponent(password);
      },
      get vhost() {
        return url().pathname.slice(1) || undefined;
      },
      get heartbeat() {
        return query("heartbeat") ?? heartbeatS;
      },
      get frameMax() {
        return query("frameMax");
      },
      get channelMax() {
        return query("channelMax");
      },
      get locale() {
        return url().searchParams.get("locale") ?? undefined;
      },
      // amqplib reads an undefined field as unset (its default), like a missing one.
    } as Options.Connect;
  }
}
