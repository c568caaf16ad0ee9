import assert from "node:assert/strict";
import { PermanentError } from "../../shared/errors.ts";
import { drainMicrotasks, rejection, track } from "../_testing/metric_messages.ts";
import { FakeClock } from "./_fake_clock.ts";
import { JoinById } from "./join_by_id.ts";
import type { EvictReason, JoinByIdOptions } from "./join_by_id.ts";

interface Harness {
  readonly join: JoinById;
  readonly clock: FakeClock;
  /** Pairs handed to the writer, in order. */
  readonly pairs: [string, number, number][];
  /** Settles the oldest unsettled write. */
  readonly writes: PromiseWithResolvers<void>[];
  readonly evicted: [string, EvictReason, string][];
  readonly conflicts: [string, string][];
}

function harness(options: JoinByIdOptions = {}): Harness {
  const clock = new FakeClock();
  const pairs: [string, number, number][] = [];
  const writes: PromiseWithResolvers<void>[] = [];
  const evicted: [string, EvictReason, string][] = [];
  const conflicts: [string, string][] = [];
  const join = new JoinById((id, yTrue, yPred) => {
    pairs.push([id, yTrue, yPred]);
    const write = Promise.withResolvers<void>();
    writes.push(write);
    return write.promise;
  }, {
    ttlMs: 1000,
    maxPending: 3,
    sweepMs: 100,
    now: clock.now,
    scheduler: clock,
    onEvict: (id, reason, error) => evicted.push([id, reason, error.message]),
    onConflict: (id, error) => conflicts.push([id, error.message]),
    ...options,
  });
  return { join, clock, pairs, writes, evicted, conflicts };
}

Deno.test("JoinById.offer() pairs halves that arrive in either order", async (t) => {
  for (const order of [["y_true", "y_pred"], ["y_pred", "y_true"]] as const) {
    await t.step(`${order[0]} first`, async () => {
      const h = harness();
      try {
        const first = track(h.join.offer("a", order[0], order[0] === "y_true" ? 151 : 149.5));
        assert.equal(h.join.size, 1);
        const second = track(h.join.offer("a", order[1], order[1] === "y_true" ? 151 : 149.5));
        assert.deepEqual(h.pairs, [["a", 151, 149.5]]);
        assert.equal(h.join.size, 0);
        await drainMicrotasks();
        // Neither message may be acked before its row is written.
        assert.deepEqual([first.state, second.state], ["pending", "pending"]);
        h.writes[0]?.resolve();
        await drainMicrotasks();
        assert.deepEqual([first.state, second.state], ["resolved", "resolved"]);
      } finally {
        h.join.close();
      }
    });
  }
});

Deno.test("JoinById.offer() evicts a half whose partner does not come", async (t) => {
  await t.step("after the TTL, by the sweep timer", async () => {
    const h = harness();
    try {
      const waiting = h.join.offer("a", "y_true", 1);
      const outcome = track(waiting);
      h.clock.advance(900);
      assert.equal(h.join.oldestAgeMs(), 900);
      await drainMicrotasks();
      assert.equal(outcome.state, "pending");
      h.clock.advance(100);
      const error = await rejection(waiting);
      assert.ok(error instanceof Error);
      assert.ok(!(error instanceof PermanentError));
      assert.equal(error.message, 'Cannot pair id "a": no y_pred arrived within 1000 ms');
      assert.deepEqual(h.evicted, [["a", "ttl", error.message]]);
      assert.equal(h.join.size, 0);
      assert.equal(h.join.oldestAgeMs(), 0);
    } finally {
      h.join.close();
    }
  });

  await t.step("after the TTL, on the next offer even without the timer", async () => {
    const h = harness({ sweepMs: 60_000 });
    try {
      const waiting = h.join.offer("a", "y_pred", 1);
      h.clock.advance(1000);
      const late = track(h.join.offer("b", "y_true", 2));
      const error = await rejection(waiting);
      assert.equal(
        (error as Error).message,
        'Cannot pair id "a": no y_true arrived within 1000 ms',
      );
      assert.equal(late.state, "pending");
      assert.equal(h.join.size, 1);
    } finally {
      h.join.close();
    }
  });

  await t.step("the oldest, when the table exceeds its cap", async () => {
    const h = harness();
    try {
      const oldest = h.join.offer("a", "y_true", 1);
      h.clock.advance(10);
      const kept = [h.join.offer("b", "y_true", 2), h.join.offer("c", "y_pred", 3)].map(track);
      const newest = track(h.join.offer("d", "y_true", 4));
      const error = await rejection(oldest);
      assert.ok(!(error instanceof PermanentError));
      assert.equal(
        (error as Error).message,
        'Cannot pair id "a": evicted as the oldest of 3 pending',
      );
      assert.deepEqual(h.evicted.map(([id, reason]) => [id, reason]), [["a", "cap"]]);
      assert.equal(h.join.size, 3);
      assert.deepEqual([...kept, newest].map((x) => x.state), ["pending", "pending", "pending"]);
    } finally {
      h.join.close();
    }
  });
});

Deno.test("JoinById.offer() settles a redelivered half with the pair", async () => {
  const h = harness();
  try {
    const copies = [h.join.offer("a", "y_true", 7), h.join.offer("a", "y_true", 7)].map(track);
    assert.equal(h.join.size, 1);
    const partner = track(h.join.offer("a", "y_pred", 5));
    assert.deepEqual(h.pairs, [["a", 7, 5]]);
    h.writes[0]?.resolve();
    await drainMicrotasks();
    assert.deepEqual([...copies, partner].map((x) => x.state), [
      "resolved",
      "resolved",
      "resolved",
    ]);
  } finally {
    h.join.close();
  }
});

Deno.test("JoinById.offer() refuses a conflicting value for a waiting half", async () => {
  const h = harness();
  try {
    const first = track(h.join.offer("a", "y_pred", 1.5));
    const error = await rejection(h.join.offer("a", "y_pred", 2.5));
    assert.ok(error instanceof PermanentError);
    assert.equal(error.message, 'Conflicting y_pred for id "a": kept "1.5", refused "2.5"');
    assert.deepEqual(h.conflicts, [["a", error.message]]);
    assert.equal(first.state, "pending");
    const partner = track(h.join.offer("a", "y_true", 3));
    assert.deepEqual(h.pairs, [["a", 3, 1.5]]);
    h.writes[0]?.resolve();
    await drainMicrotasks();
    assert.deepEqual([first.state, partner.state], ["resolved", "resolved"]);
  } finally {
    h.join.close();
  }
});

Deno.test("JoinById.offer() rejects both halves when the write fails", async () => {
  const h = harness();
  try {
    const halves = [h.join.offer("a", "y_true", 1), h.join.offer("a", "y_pred", 2)];
    const failure = new Error("Cannot append 1 rows: disk full");
    h.writes[0]?.reject(failure);
    assert.equal(await rejection(halves[0]!), failure);
    assert.equal(await rejection(halves[1]!), failure);
  } finally {
    h.join.close();
  }
});

Deno.test("JoinById.close() releases waiting halves and stops the sweep", async () => {
  const h = harness();
  const waiting = h.join.offer("a", "y_true", 1);
  assert.equal(h.clock.pendingTimers, 1);
  h.join.close();
  h.join.close();
  const error = await rejection(waiting);
  assert.ok(!(error instanceof PermanentError));
  assert.equal((error as Error).message, 'Cannot pair id "a": the join is closing');
  assert.equal(h.clock.pendingTimers, 0);
  assert.equal(h.join.size, 0);
  const after = await rejection(h.join.offer("b", "y_true", 1));
  assert.equal((after as Error).message, 'Cannot pair id "b": the join is closing');
  assert.deepEqual(h.evicted.map(([id, reason]) => [id, reason]), [["a", "closed"]]);
});

Deno.test("JoinById() refuses a non-positive TTL", () => {
  assert.throws(() => new JoinById(() => Promise.resolve(), { ttlMs: 0 }), {
    name: "RangeError",
    message: 'Cannot create a join with ttlMs "0": expected a positive number',
  });
});
