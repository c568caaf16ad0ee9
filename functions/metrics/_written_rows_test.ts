import assert from "node:assert/strict";
import { WrittenRows } from "./_written_rows.ts";

Deno.test("WrittenRows.add() keeps only the newest rows up to the capacity", async (t) => {
  await t.step("forgets the oldest beyond capacity, keeping each row's values", () => {
    const rows = new WrittenRows(3);
    for (const [i, id] of ["a", "b", "c", "d", "e"].entries()) rows.add(id, i, i + 0.5);
    assert.equal(rows.size, 3);
    assert.deepEqual(["a", "b", "c", "d", "e"].map((id) => rows.get(id)), [
      undefined,
      undefined,
      { yTrue: 2, yPred: 2.5 },
      { yTrue: 3, yPred: 3.5 },
      { yTrue: 4, yPred: 4.5 },
    ]);
  });

  await t.step("adding an id again changes neither its values nor the order", () => {
    const rows = new WrittenRows(2);
    rows.add("a", 1, 1);
    rows.add("a", 9, 9);
    rows.add("b", 2, 2);
    assert.deepEqual(rows.get("a"), { yTrue: 1, yPred: 1 });
    rows.add("c", 3, 3);
    assert.deepEqual([rows.has("a"), rows.has("b"), rows.has("c")], [false, true, true]);
  });

  await t.step("refuses a capacity below 1", () => {
    assert.throws(() => new WrittenRows(0), {
      name: "RangeError",
      message:
        'Cannot create a table of written rows of capacity "0": expected a whole number from 1',
    });
  });
});
