import assert from "node:assert/strict";
import { parseBenchArgs, STAGES } from "./bench_args.ts";

Deno.test("parseBenchArgs() resolves the sizes of every stage", async (t) => {
  await t.step("a full run by default", () => {
    assert.deepEqual(parseBenchArgs([]), {
      quick: false,
      n: 20_000,
      rounds: 2,
      ceilingMessages: 60_000,
      duration: 20,
      warmupSeconds: 2,
      rate: 500,
      scaleOutN: 2000,
      pending: 100_000,
      plotRows: [100_000, 1_000_000],
      liveRows: 1_000_000,
      stages: [...STAGES],
      profile: false,
      coldStarts: 5,
    });
  });
  await t.step("a quick run with small sizes", () => {
    const args = parseBenchArgs(["--quick"]);
    assert.deepEqual(
      [
        args.n,
        args.rounds,
        args.ceilingMessages,
        args.duration,
        args.scaleOutN,
        args.pending,
        args.plotRows,
        args.liveRows,
        args.coldStarts,
      ],
      [1000, 1, 3000, 3, 300, 5000, [10_000, 100_000], 100_000, 1],
    );
  });
  await t.step("flags that override", () => {
    const args = parseBenchArgs(["--n", "300", "--duration=5", "--stages", "plot,ceiling"]);
    assert.deepEqual([args.n, args.ceilingMessages, args.duration, args.stages], [
      300,
      900,
      5,
      ["plot", "ceiling"],
    ]);
  });
  await t.step("a bad number or stage", () => {
    assert.throws(() => parseBenchArgs(["--n", "0"]), {
      name: "RangeError",
      message: 'Invalid --n "0": expected a whole number from 1',
    });
    assert.throws(() => parseBenchArgs(["--stages", "ceiling,nope"]), {
      name: "TypeError",
      message:
        'Invalid --stages "ceiling,nope": expected some of ceiling, pipeline, latency, scale-out, memory, plot, embedded, live, cluster, cold-start, challenger',
    });
  });
});
