/**
 * Liveness and readiness of one running function, as Kubernetes means them.
 *
 * - Ready: started, not stopping, connected to its broker (when it has one)
 *   and not paused by the function itself.
 * - Live: not wedged. Wedged means no progress for `timeoutMs` while it has
 *   work: deliveries handed to it and not settled, a tick running, or ticks
 *   failing in a row. A settled delivery (acked, retried or dead-lettered)
 *   and a tick that returns are progress; a failed tick is not.
 * - The clock stops while the function waits on something a restart cannot
 *   fix: the broker connection is down (readiness says so) or the function
 *   paused itself with a reason (its disk is full, say). So a paused function
 *   holding unsettled messages is not judged wedged; it restarts the clock
 *   when it resumes or reconnects.
 * - A source whose tick said "done" has no work left: it stays live and ready
 *   and says `finished`.
 *
 * @module
 */
import type { HealthStatus } from "./health_server.ts";
import type { TransportState } from "./transport.ts";

/** Options of {@linkcode FunctionHealth}. */
export interface FunctionHealthOptions {
  /** No progress for this long while there is work means wedged. */
  timeoutMs: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

/** The health of one running function, told by the runtime as things happen. */
export class FunctionHealth {
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #phase: "starting" | "running" | "stopping" = "starting";
  #connection: TransportState | undefined;
  #paused: string | undefined;
  #finished = false;
  #pending = 0;
  #failures = 0;
  /** Last progress, or when work began after idleness, or when waiting ended. */
  #since: number;

  /** Creates the health of a function that is starting. */
  constructor(options: FunctionHealthOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
    this.#since = this.#now();
  }

  /** The function consumes (or ticks). */
  started(): void {
    if (this.#phase === "starting") this.#phase = "running";
  }

  /** The function is stopping. */
  stopping(): void {
    this.#phase = "stopping";
  }

  /** The broker connection's state; a function without a broker never calls this. */
  connection(state: TransportState): void {
    this.#setWaiting(() => this.#connection = state);
  }

  /** The function paused itself with a reason, or resumed (`undefined`). */
  paused(reason: string | undefined): void {
    this.#setWaiting(() => this.#paused = reason);
  }

  /** A delivery was handed out, or a tick started. */
  begin(): void {
    if (!this.#hasWork()) this.#since = this.#now();
    this.#pending++;
  }

  /** That delivery settled (`true`), or that tick returned (`true`) or threw (`false`). */
  end(progressed: boolean): void {
    this.#pending = Math.max(0, this.#pending - 1);
    if (progressed) {
      this.#failures = 0;
      this.#since = this.#now();
    } else {
      this.#failures++;
    }
  }

  /** A source said "done": no work is left. */
  finished(): void {
    this.#finished = true;
  }

  /** The liveness verdict. */
  live(): HealthStatus {
    const finished = this.#finished || undefined;
    if (this.#waiting() || !this.#hasWork()) return { ok: true, finished };
    const idleMs = this.#now() - this.#since;
    if (idleMs < this.#timeoutMs) return { ok: true, finished };
    return {
      ok: false,
      reason: `no progress for ${Math.floor(idleMs / 1000)} s with ${this.#pending} unsettled ` +
        `and ${this.#failures} failed in a row`,
      finished,
    };
  }

  /** The readiness verdict. */
  ready(): HealthStatus {
    const finished = this.#finished || undefined;
    if (this.#phase !== "running") return { ok: false, reason: this.#phase, finished };
    if (this.#connection !== undefined && this.#connection !== "connected") {
      return { ok: false, reason: `broker ${this.#connection}`, finished };
    }
    if (this.#paused !== undefined) {
      return { ok: false, reason: `paused: ${this.#paused}`, finished };
    }
    return { ok: true, finished };
  }

  #hasWork(): boolean {
    return this.#pending > 0 || this.#failures > 0;
  }

  #waiting(): boolean {
    return this.#paused !== undefined ||
      (this.#connection !== undefined && this.#connection !== "connected");
  }

  #setWaiting(change: () => void): void {
    const before = this.#waiting();
    change();
    // The end of a wait restarts the clock: the time spent waiting was not the function's.
    if (before && !this.#waiting()) this.#since = this.#now();
  }
}
