import assert from "node:assert/strict";
import { parseRow } from "./_parse_row.ts";

Deno.test("parseRow() reads a row of ours or says why a line is none", () => {
  assert.deepEqual(parseRow("a,151,140.25,10.75"), { id: "a", yTrue: 151, yPred: 140.25 });
  assert.deepEqual(parseRow('"a,""b",1,2,1'), { id: 'a,"b', yTrue: 1, yPred: 2 });
  assert.equal(parseRow("hello"), "expected 4 fields, got 1");
  assert.equal(parseRow("a,1,2,3,4"), "expected 4 fields, got 5");
  assert.equal(parseRow("a,x,2,1"), 'y_true "x" is not a finite number');
  assert.equal(parseRow("a,1,,1"), 'y_pred "" is not a finite number');
  assert.equal(parseRow(",1,2,1"), "the id is empty");
  assert.match(parseRow('"a,1,2,1') as string, /Quote Not Closed/);
});
