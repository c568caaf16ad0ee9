/**
 * ErrorPlot with a challenger: real metric logs in a temporary directory, the
 * real renderer, the PNG decoded.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import {
  type FakeContext,
  fakeContext,
  loggedEvents as events,
} from "../../shared/testing/fake_context.ts";
import { ERROR_PLOT_FILE, METRIC_LOG_FILE } from "../_metric_log.ts";
import { ErrorPlot } from "./error_plot.ts";
import { SERIES_COLOURS } from "./histogram_chart.ts";
import { METRIC_LOG_HEADER } from "./metric_log_reader.ts";
import { plotSettings } from "./settings.ts";

const CHALLENGER_LOG = "metric_log.forest.csv";
const SHARED = 100;

/** A metric log of `[id, error]` rows. */
function metricLog(rows: [string, number][]): string {
  return METRIC_LOG_HEADER + "\n" +
    rows.map(([id, error]) => `${id},100,${100 + error},${error}\n`).join("");
}

/**
 * The champion's errors on the shared ids are 10..29; the challenger's are
 * those plus `delta`. Each also has rows of its own, which pair with nothing.
 */
function championRows(): [string, number][] {
  const shared = Array.from({ length: SHARED }, (_, i) => [`obs-${i}`, 10 + (i % 20)] as const);
  const own = Array.from({ length: 10 }, (_, i) => [`champion-only-${i}`, 50] as const);
  return [...shared, ...own].map(([id, error]) => [id, error]);
}

function challengerRows(delta: number): [string, number][] {
  const rows = Array.from(
    { length: SHARED },
    (_, i) => [`obs-${i}`, 10 + (i % 20) + delta] as [string, number],
  );
  const own = Array.from({ length: 5 }, (_, i) => [`challenger-only-${i}`, 0] as [string, number]);
  return [...own, ...rows];
}

interface Fixture {
  readonly dir: string;
  readonly ctx: FakeContext;
  readonly plot: ErrorPlot;
}

async function withPlot(
  env: Record<string, string>,
  test: (fixture: Fixture) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plot_verdict_" });
  try {
    const ctx = fakeContext(plotSettings, {
      name: "plot",
      env: { LOGS_DIR: dir, PLOT_WIDTH: "640", PLOT_HEIGHT: "400", ...env },
    });
    await test({ dir, ctx, plot: await ErrorPlot.create(ctx) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const withChallenger = (test: (fixture: Fixture) => Promise<void>) =>
  withPlot({ CHALLENGERS: "forest" }, test);

function verdictLogs(ctx: FakeContext): Record<string, unknown>[] {
  return ctx.logs.filter((log) => log.event === "verdict").map((log) => ({
    ...log,
    time: undefined,
  }));
}

function verdictLog(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    time: undefined,
    level: "info",
    function: "plot",
    event: "verdict",
    champion: "linear",
    challenger: "forest",
    ...fields,
  };
}

function gauges(ctx: FakeContext): number[] {
  return ["", "_pairs", "_mean_difference", "_interval_low", "_interval_high"].map((name) =>
    ctx.gauges.get(`plot_verdict${name}{challenger="forest"}`)!
  );
}

/** Pixels of `rgba` drawn over the white background, within 2 per channel. */
function pixelsOf(png: Uint8Array, rgba: string): number {
  const [r, g, b, a] = rgba.match(/[\d.]+/g)!.map(Number) as [number, number, number, number];
  const want = [r, g, b].map((c) => 255 + (c - 255) * a);
  const { data, channels } = decode(png);
  let count = 0;
  for (let i = 0; i < data.length; i += channels) {
    if (want.every((c, k) => Math.abs(data[i + k]! - c) <= 2)) count++;
  }
  return count;
}

Deno.test("ErrorPlot.refresh() gives each challenger's verdict on the ids both models have", async (t) => {
  const cases = [
    { delta: -8, verdict: "challenger better", score: 1 },
    { delta: 0, verdict: "undecided", score: 0 },
    { delta: 8, verdict: "challenger worse", score: -1 },
  ];
  for (const { delta, verdict, score } of cases) {
    await t.step(
      `challenger errors ${delta} from the champion's: ${verdict}`,
      () =>
        withChallenger(async ({ dir, ctx, plot }) => {
          await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), metricLog(championRows()));
          await Deno.writeTextFile(join(dir, CHALLENGER_LOG), metricLog(challengerRows(delta)));
          assert.equal(await plot.refresh(), true);
          // 110 and 105 rows; only the 100 shared ids are pairs, and every pair differs by delta.
          assert.deepEqual(verdictLogs(ctx), [
            verdictLog({ pairs: 100, meanDifference: delta, low: delta, high: delta, verdict }),
          ]);
          assert.deepEqual(gauges(ctx), [score, 100, delta, delta, delta]);
          const updated = ctx.logs.find((log) => log.event === "Histogram updated");
          assert.equal(updated?.rows, 110);
          assert.deepEqual(
            (updated?.challengers as { model: string; rows: number }[]).map((
              c,
            ) => [c.model, c.rows]),
            [["forest", 105]],
          );
          assert.equal(await plot.refresh(), false);
          assert.equal(verdictLogs(ctx).length, 1, "no new rows, no new verdict");
        }),
    );
  }
});

Deno.test("ErrorPlot draws every model's histogram in its own colour", async (t) => {
  const [championFill, challengerFill] = SERIES_COLOURS.overlaid.map(([fill]) => fill);
  const alone = SERIES_COLOURS.alone[0];

  await t.step(
    "champion and challenger with rows: both colours, at the configured size",
    () =>
      withChallenger(async ({ dir, plot }) => {
        await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), metricLog(championRows()));
        await Deno.writeTextFile(join(dir, CHALLENGER_LOG), metricLog(challengerRows(-8)));
        await plot.refresh();
        const png = await Deno.readFile(join(dir, ERROR_PLOT_FILE));
        const image = decode(png);
        assert.deepEqual([image.width, image.height], [640, 400]);
        const [champion, challenger] = [
          pixelsOf(png, championFill!),
          pixelsOf(png, challengerFill!),
        ];
        assert.ok(champion > 1000, `${champion} pixels of the champion's colour`);
        assert.ok(challenger > 1000, `${challenger} pixels of the challenger's colour`);
        assert.equal(pixelsOf(png, alone), 0);
      }),
  );

  await t.step(
    "the champion alone: its colour of old, no challenger's",
    () =>
      withPlot({}, async ({ dir, ctx, plot }) => {
        await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), metricLog(championRows()));
        await Deno.writeTextFile(join(dir, CHALLENGER_LOG), metricLog(challengerRows(-8)));
        await plot.refresh();
        const png = await Deno.readFile(join(dir, ERROR_PLOT_FILE));
        assert.ok(pixelsOf(png, alone) > 1000);
        assert.equal(pixelsOf(png, challengerFill!), 0);
        assert.equal(pixelsOf(png, championFill!), 0);
        assert.deepEqual(verdictLogs(ctx), []);
        assert.equal(ctx.gauges.size, 0);
      }),
  );
});

Deno.test("ErrorPlot reads each challenger's metric log as it comes, goes and changes", async (t) => {
  await t.step(
    "a challenger's log appearing later is picked up; missing, it is said once",
    () =>
      withChallenger(async ({ dir, ctx, plot }) => {
        await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), metricLog(championRows()));
        assert.equal(await plot.refresh(), true);
        assert.equal(await plot.refresh(), false);
        const missing = ctx.logs.filter((log) => log.event === "Metric log not found");
        assert.deepEqual(missing.map((log) => [log.level, log.model, log.path]), [
          ["info", "forest", join(dir, CHALLENGER_LOG)],
        ]);
        await Deno.writeTextFile(join(dir, CHALLENGER_LOG), metricLog(challengerRows(8)));
        assert.equal(await plot.refresh(), true);
        assert.deepEqual(verdictLogs(ctx), [
          verdictLog({
            pairs: 0,
            meanDifference: null,
            low: null,
            high: null,
            verdict: "undecided",
          }),
          verdictLog({
            pairs: 100,
            meanDifference: 8,
            low: 8,
            high: 8,
            verdict: "challenger worse",
          }),
        ]);
        assert.deepEqual(
          events(ctx).filter((event) => event.includes("Metric log")),
          ["info Metric log has rows", "info Metric log not found", "info Metric log has rows"],
        );
      }),
  );

  await t.step(
    "a challenger's log replaced, then truncated, is read again from the start",
    () =>
      withChallenger(async ({ dir, ctx, plot }) => {
        const challengerLog = join(dir, CHALLENGER_LOG);
        await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), metricLog(championRows()));
        await Deno.writeTextFile(challengerLog, metricLog(challengerRows(-8)));
        await plot.refresh();
        // Replaced by a rename with a new, larger file: worse this time.
        await Deno.writeTextFile(`${challengerLog}.new`, metricLog(challengerRows(8)));
        await Deno.rename(`${challengerLog}.new`, challengerLog);
        assert.equal(await plot.refresh(), true);
        await Deno.writeTextFile(challengerLog, METRIC_LOG_HEADER + "\n");
        assert.equal(await plot.refresh(), true);
        assert.deepEqual(verdictLogs(ctx).map((log) => [log.pairs, log.verdict]), [
          [100, "challenger better"],
          [100, "challenger worse"],
          [0, "undecided"],
        ]);
        const resets = ctx.logs.filter((log) =>
          log.event === "Metric log changed under the reader, reading it again"
        );
        assert.deepEqual(resets.map((log) => [log.level, log.model, log.reason]), [
          ["warn", "forest", "replaced"],
          ["warn", "forest", "truncated"],
        ]);
        assert.deepEqual(gauges(ctx), [0, 0, NaN, NaN, NaN]);
        assert.equal(plot.rows, 110, "the champion's rows were kept");
      }),
  );
});

Deno.test("ErrorPlot refuses a challenger named as the champion", async () => {
  await assert.rejects(
    withPlot({ CHAMPION: "forest", CHALLENGERS: "sum,forest" }, () => Promise.resolve()),
    {
      name: "ConfigError",
      code: "CONFIG_INVALID",
      variable: "CHALLENGERS",
      message: 'Invalid CHALLENGERS "sum,forest": it names the champion "forest"',
    },
  );
});
