import assert from "node:assert/strict";
import { fakeContext } from "../../shared/testing/fake_context.ts";
import { VerdictGauges } from "./verdict_gauges.ts";

const NAMES = [
  "plot_verdict",
  "plot_verdict_pairs",
  "plot_verdict_mean_difference",
  "plot_verdict_interval_low",
  "plot_verdict_interval_high",
];

Deno.test("VerdictGauges.set() sets five gauges labelled with the challenger", async (t) => {
  const ctx = fakeContext({});
  const gauges = new VerdictGauges(ctx.gauge, ["forest", "sum"]);
  const values = (challenger: string) =>
    NAMES.map((name) => ctx.gauges.get(`${name}{challenger="${challenger}"}`));

  await t.step("a decided verdict", () => {
    gauges.set({
      champion: "linear",
      challenger: "sum",
      pairs: 300,
      meanDifference: 105.78,
      interval: [97.36, 114.19],
      verdict: "challenger worse",
    });
    assert.deepEqual(values("sum"), [-1, 300, 105.78, 97.36, 114.19]);
    assert.deepEqual(values("forest"), [undefined, undefined, undefined, undefined, undefined]);
  });

  await t.step("without pairs: 0 pairs, undecided, NaN figures", () => {
    gauges.set({
      champion: "linear",
      challenger: "forest",
      pairs: 0,
      meanDifference: 0,
      interval: undefined,
      verdict: "undecided",
    });
    assert.deepEqual(values("forest"), [0, 0, NaN, NaN, NaN]);
  });

  await t.step("a model that is no challenger is refused", () => {
    assert.throws(
      () =>
        gauges.set({
          champion: "linear",
          challenger: "linear",
          pairs: 0,
          meanDifference: 0,
          interval: undefined,
          verdict: "undecided",
        }),
      { name: "RangeError", message: 'Cannot set the verdict gauges: "linear" is no challenger' },
    );
  });
});
