import assert from "node:assert/strict";
import { checkMetricLog } from "./check_metric_log.ts";

Deno.test("checkMetricLog() counts lost, duplicated, wrong and unconfirmed rows", () => {
  const expected = {
    confirmed: new Map([["a", 0], ["b", 1], ["c", 0]]),
    started: new Map([["d", 1]]),
    target: (row: number) => [100, 200][row]!,
    predict: (row: number) => [90.5, 210.25][row]!,
  };
  const csv = [
    "id,y_true,y_pred,error",
    "a,100,90.5,9.5",
    "b,200,210.25,10.25",
    "a,100,90.5,9.5",
    "d,200,210.25,10.25",
    "x,1,1,0",
    "",
  ].join("\n");
  const check = checkMetricLog(csv, expected);
  assert.deepEqual({ ...check, problems: check.problems.length }, {
    rows: 5,
    lost: 1,
    duplicated: 1,
    wrong: 1,
    unconfirmed: 1,
    problems: 3,
  });
  assert.equal(checkMetricLog("id,y_true,y_pred,error\nc,100,90.5,9.25\n", expected).wrong, 1);
});
