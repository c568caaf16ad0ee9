/**
 * Polls a condition until it holds, for tests against a real broker or real
 * processes, where there is no event to await.
 *
 * @module
 */
import { delay } from "../runtime/backoff.ts";

/** Options of {@linkcode waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. @default 10000 */
  timeoutMs?: number;
  /** Pause between checks. @default 20 */
  intervalMs?: number;
}

/** Resolves once `check` returns true; rejects naming `what` after the timeout. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(intervalMs);
  }
}
