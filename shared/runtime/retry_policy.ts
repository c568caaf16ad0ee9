/**
 * The one retry policy, shared by every transport: how many attempts a
 * message has had, and what becomes of it when its handler fails. A
 * permanent failure is dead-lettered at once; any other is retried after a
 * delay that doubles with each attempt (with jitter), up to `maxAttempts`,
 * then dead-lettered as exhausted.
 *
 * @module
 */
import { isPermanent } from "../errors.ts";
import { backoffDelay } from "./backoff.ts";
import { ATTEMPT_HEADER } from "./transport.ts";

/** The retry settings. */
export interface RetryPolicy {
  /** Deliveries of a failing message before it is dead-lettered. */
  readonly maxAttempts: number;
  /** The delay before the first retry; it doubles with each attempt, up to 30 s. */
  readonly retryDelayMs: number;
}

/** What becomes of a message whose handler failed. */
export type FailureDecision =
  | { readonly action: "retry"; readonly delayMs: number; readonly reason: string }
  | {
    readonly action: "dead-letter";
    readonly kind: "permanent" | "exhausted";
    readonly reason: string;
  };

/** The longest wait before a retry. */
export const MAX_RETRY_DELAY_MS = 30_000;

/** The text of a failure, for logs and the dead-letter reason. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Decides what becomes of a message on its `attempt`-th failure. */
export function decideFailure(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): FailureDecision {
  const reason = reasonOf(error);
  if (isPermanent(error)) return { action: "dead-letter", kind: "permanent", reason };
  if (attempt >= policy.maxAttempts) {
    return {
      action: "dead-letter",
      kind: "exhausted",
      reason: `Gave up after ${attempt} attempts: ${reason}`,
    };
  }
  const delayMs = policy.retryDelayMs === 0 ? 0 : backoffDelay(attempt, {
    initialMs: policy.retryDelayMs,
    maxMs: Math.max(policy.retryDelayMs, MAX_RETRY_DELAY_MS),
    random,
  });
  return { action: "retry", delayMs, reason };
}

/** The attempt of a delivery: the count its headers carry, plus one if the broker redelivered it. */
export function attemptOf(
  headers: Readonly<Record<string, unknown>>,
  redelivered: boolean,
): number {
  const header = headers[ATTEMPT_HEADER];
  const value = typeof header === "string" ? Number(header) : header;
  const carried = typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : 1;
  return carried + (redelivered ? 1 : 0);
}

/** The headers a retried copy carries: its next attempt. */
export function retryHeaders(attempt: number): Record<string, number> {
  return { [ATTEMPT_HEADER]: attempt + 1 };
}
