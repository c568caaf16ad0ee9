/**
 * Capped exponential backoff with full jitter, for retrying a publish that
 * found no queue and for restarting a crashed process in `deno task dev`.
 * (amqplib's recovery has its own; this one serves the runtime's other loops.)
 *
 * @module
 */

/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** First delay. @default 100 */
  initialMs?: number;
  /** Largest delay. @default 5000 */
  maxMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /** A number in [0, 1). @default Math.random */
  random?: () => number;
}

/** The delay before retry number `attempt` (1-based): uniform in [cap/2, cap]. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`Cannot compute backoff: attempt "${attempt}" is not a whole number >= 1`);
  }
  const { initialMs = 100, maxMs = 5000, factor = 2, random = Math.random } = options;
  const cap = Math.min(maxMs, initialMs * factor ** (attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
