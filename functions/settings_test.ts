import assert from "node:assert/strict";
import { readSettings } from "../shared/settings.ts";
import { challengers, champion } from "./_settings.ts";
import { metricLogFile } from "./_metric_log.ts";

const models = { champion, challengers };

Deno.test("CHAMPION and CHALLENGERS name the compared models", () => {
  assert.deepEqual(readSettings(models, {}), { champion: "linear", challengers: [] });
  assert.deepEqual(readSettings(models, { CHAMPION: "forest", CHALLENGERS: " linear, sum " }), {
    champion: "forest",
    challengers: ["linear", "sum"],
  });
});

Deno.test("a model name that cannot be part of a file name is refused in one line", () => {
  const refused: [Record<string, string>, string][] = [
    [{ CHAMPION: "../x" }, 'Invalid CHAMPION "../x": expected a model name'],
    [
      { CHALLENGERS: "forest,Forest" },
      'Invalid CHALLENGERS "forest,Forest": expected a model name',
    ],
    [{ CHALLENGERS: "forest,,sum" }, 'Invalid CHALLENGERS "forest,,sum": expected a model name'],
    [{ CHALLENGERS: "sum,sum" }, 'Invalid CHALLENGERS "sum,sum": a model is named twice'],
  ];
  for (const [env, message] of refused) {
    assert.throws(
      () => readSettings(models, env),
      (error: Error) => error.message.startsWith(message),
    );
  }
});

Deno.test("the champion's rows go to metric_log.csv, a challenger's to its own file", () => {
  assert.equal(metricLogFile("linear", "linear"), "metric_log.csv");
  assert.equal(metricLogFile("forest", "linear"), "metric_log.forest.csv");
  assert.equal(metricLogFile("linear", "forest"), "metric_log.linear.csv");
});
