import assert from "node:assert/strict";
import { BoundedSet } from "./_bounded_set.ts";

Deno.test("BoundedSet.add() keeps only the newest members up to the capacity", async (t) => {
  await t.step("drops the oldest beyond capacity", () => {
    const set = new BoundedSet(3);
    for (const id of ["a", "b", "c", "d", "e"]) set.add(id);
    assert.equal(set.size, 3);
    assert.deepEqual(["a", "b", "c", "d", "e"].map((id) => set.has(id)), [
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  await t.step("adding a member again neither grows nor reorders the set", () => {
    const set = new BoundedSet(2);
    set.add("a");
    set.add("a");
    set.add("b");
    assert.equal(set.size, 2);
    set.add("c");
    assert.deepEqual([set.has("a"), set.has("b"), set.has("c")], [false, true, true]);
  });

  await t.step("refuses a capacity below 1", () => {
    assert.throws(() => new BoundedSet(0), {
      name: "RangeError",
      message: 'Cannot create a bounded set of capacity "0": expected a whole number from 1',
    });
  });
});
