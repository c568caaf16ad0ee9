import assert from "node:assert/strict";
import { AckBatcher } from "./_ack_batcher.ts";

function setup() {
  const sent: [number, boolean][] = [];
  const flushes: (() => void)[] = [];
  const batcher = new AckBatcher(
    (tag, multiple) => sent.push([tag, multiple]),
    (flush) => flushes.push(flush),
  );
  const runFlushes = () => flushes.splice(0).forEach((flush) => flush());
  return { batcher, sent, flushes, runFlushes };
}

Deno.test("AckBatcher coalesces and never acks a tag twice", async (t) => {
  await t.step("acks a contiguous run with one multiple ack", () => {
    const { batcher, sent, flushes, runFlushes } = setup();
    for (const tag of [1, 2, 3, 4]) batcher.settle(tag);
    assert.equal(flushes.length, 1);
    runFlushes();
    assert.deepEqual(sent, [[4, true]]);
    assert.equal(batcher.frames, 1);
  });

  await t.step("steps over a rejected tag and never names it in an ack", () => {
    const { batcher, sent, runFlushes } = setup();
    batcher.settle(1);
    batcher.rejected(2);
    batcher.settle(3);
    batcher.settle(4);
    runFlushes();
    assert.deepEqual(sent, [[4, true]]);
    batcher.rejected(5);
    batcher.settle(6);
    runFlushes();
    assert.deepEqual(sent, [[4, true], [6, true]]);
  });

  await t.step("acks tags beyond a gap one by one, then closes the gap", () => {
    const { batcher, sent, runFlushes } = setup();
    for (const tag of [1, 2, 4, 5]) batcher.settle(tag);
    runFlushes();
    assert.deepEqual(sent, [[2, true], [4, false], [5, false]]);
    batcher.settle(3);
    batcher.settle(6);
    runFlushes();
    // One multiple ack of 6 covers 3 and skips 4 and 5, acked already.
    assert.deepEqual(sent.slice(3), [[6, true]]);
    batcher.settle(8);
    runFlushes();
    // 8 follows a gap at 7, and 7 is not sent yet: the multiple ack must not name 8.
    assert.deepEqual(sent.slice(4), [[8, false]]);
    batcher.settle(7);
    runFlushes();
    assert.deepEqual(sent.slice(5), [[7, true]]);
  });

  await t.step("drops settles after close", () => {
    const { batcher, sent, flushes, runFlushes } = setup();
    batcher.settle(1);
    batcher.close();
    runFlushes();
    batcher.settle(2);
    assert.equal(flushes.length, 0);
    assert.deepEqual(sent, []);
    assert.equal(batcher.closed, true);
  });

  await t.step("sends nothing when nothing settled", () => {
    const { batcher, sent } = setup();
    batcher.flush();
    assert.deepEqual(sent, []);
  });
});
