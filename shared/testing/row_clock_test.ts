import assert from "node:assert/strict";
import { longestGap, RowClock } from "./row_clock.ts";

Deno.test("longestGap() measures from the fault to the first row and between rows, within the window", () => {
  const growth = [100, 110, 120, 500, 510, 2000];
  assert.equal(longestGap(growth, 115, 1000), 380);
  assert.equal(longestGap(growth, 0, 1000), 380);
  assert.equal(longestGap(growth, 50, 115), 50);
  assert.equal(longestGap(growth, 600, 1500), 900);
  assert.equal(longestGap([], 0, 10), 10);
});

Deno.test("RowClock keeps the moments a file grew", async () => {
  const path = await Deno.makeTempFile();
  const clock = new RowClock(path, 5);
  try {
    for (const line of ["a\n", "b\n", "c\n"]) {
      const before = clock.growth.length;
      await Deno.writeTextFile(path, line, { append: true });
      while (clock.growth.length === before) await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await clock.stop();
    await Deno.remove(path);
  }
  assert.equal(clock.growth.length, 3);
  assert.deepEqual(clock.growth, clock.growth.toSorted((a, b) => a - b));
});
