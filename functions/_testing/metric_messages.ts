/**
 * Messages and promise probes for the metrics function's tests.
 *
 * @module
 */
import type { HalfMessage } from "../metrics/metrics_state.ts";

/** A Y_true message. */
export function truth(id: string, yTrue: number, attempt = 1): HalfMessage {
  return { stream: "features/Y_true", id, timestamp: 0, data: { y_true: yTrue }, attempt };
}

/** A Y_pred message. */
export function prediction(id: string, yPred: number, attempt = 1, model = "linear"): HalfMessage {
  return {
    stream: "predictions/Y_pred",
    id,
    timestamp: 0,
    data: { y_pred: yPred, model: { name: model, version: "1" } },
    attempt,
  };
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(promise: Promise<T>): { state: "pending" | "resolved" | "rejected" } {
  const tracked: { state: "pending" | "resolved" | "rejected" } = { state: "pending" };
  promise.then(() => tracked.state = "resolved", () => tracked.state = "rejected");
  return tracked;
}

/** Lets queued promise callbacks run; no timers involved. */
export async function drainMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("Expected the promise to reject");
}
