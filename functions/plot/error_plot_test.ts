import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import {
  type FakeContext,
  fakeContext,
  loggedEvents as events,
} from "../../shared/testing/fake_context.ts";
import { ERROR_PLOT_FILE as PLOT_FILE, METRIC_LOG_FILE } from "../_metric_log.ts";
import { ErrorPlot } from "./error_plot.ts";
import { METRIC_LOG_HEADER } from "./metric_log_reader.ts";
import { plotSettings } from "./settings.ts";

const HEADER = `${METRIC_LOG_HEADER}\n`;

function rows(...errors: number[]): string {
  return errors.map((error, i) => `id-${i}-${error},100,${100 + error},${error}\n`).join("");
}

interface Fixture {
  readonly dir: string;
  readonly log: string;
  readonly png: string;
  readonly ctx: FakeContext;
  readonly plot: ErrorPlot;
}

async function withPlot(test: (fixture: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plot_" });
  try {
    const ctx = fakeContext(plotSettings, {
      name: "plot",
      env: { LOGS_DIR: dir, PLOT_WIDTH: "400", PLOT_HEIGHT: "300" },
    });
    const plot = await ErrorPlot.create(ctx);
    await test({ dir, log: join(dir, METRIC_LOG_FILE), png: join(dir, PLOT_FILE), ctx, plot });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
}

function updates(ctx: FakeContext): Record<string, unknown>[] {
  return ctx.logs.filter((log) => log.event === "Histogram updated");
}

Deno.test("ErrorPlot.refresh() draws the histogram only when the errors changed", async (t) => {
  await t.step(
    "rows: one PNG of the configured size, logged with its figures",
    () =>
      withPlot(async ({ dir, log, png, ctx, plot }) => {
        await Deno.writeTextFile(log, HEADER + rows(3, 4, 0, 5));
        ctx.time = 1000;
        assert.equal(await plot.refresh(), true);
        const image = decode(await Deno.readFile(png));
        assert.deepEqual([image.width, image.height], [400, 300]);
        assert.deepEqual(await names(dir), [PLOT_FILE, METRIC_LOG_FILE].sort());
        const [update] = updates(ctx);
        assert.deepEqual(
          { ...update, time: undefined },
          {
            time: undefined,
            level: "info",
            function: "plot",
            event: "Histogram updated",
            rows: 4,
            mae: 3,
            rmse: Math.sqrt(50 / 4),
            bins: 2,
            ms: 0,
          },
        );
        assert.equal(plot.rows, 4);
      }),
  );

  await t.step(
    "no change: no drawing; new rows: a new drawing",
    () =>
      withPlot(async ({ log, png, ctx, plot }) => {
        await Deno.writeTextFile(log, HEADER + rows(1, 2, 3));
        assert.equal(await plot.refresh(), true);
        const first = await Deno.readFile(png);
        assert.equal(await plot.refresh(), false);
        assert.equal(await plot.refresh(), false);
        assert.equal(updates(ctx).length, 1);
        await Deno.writeTextFile(log, rows(7, 8), { append: true });
        assert.equal(await plot.refresh(), true);
        assert.equal(plot.rows, 5);
        assert.deepEqual(updates(ctx).map((update) => update.rows), [3, 5]);
        assert.notDeepEqual(await Deno.readFile(png), first);
      }),
  );
});

Deno.test("ErrorPlot.refresh() says what it found once per change of state", async (t) => {
  await t.step(
    "missing, then header only, then rows",
    () =>
      withPlot(async ({ dir, log, ctx, plot }) => {
        assert.equal(await plot.refresh(), false);
        assert.equal(await plot.refresh(), false);
        await Deno.writeTextFile(log, HEADER);
        assert.equal(await plot.refresh(), false);
        assert.equal(await plot.refresh(), false);
        assert.deepEqual(await names(dir), [METRIC_LOG_FILE]);
        await Deno.writeTextFile(log, rows(2), { append: true });
        assert.equal(await plot.refresh(), true);
        assert.deepEqual(events(ctx), [
          "warn Metric log not found",
          "info Metric log has no rows yet",
          "info Metric log has rows",
          "info Histogram updated",
        ]);
      }),
  );

  await t.step(
    "a wrong header is reported once and nothing is drawn",
    () =>
      withPlot(async ({ dir, log, ctx, plot }) => {
        await Deno.writeTextFile(log, "a,b,c\n1,2,3\n");
        await plot.refresh();
        await plot.refresh();
        assert.deepEqual(events(ctx), [
          "warn Metric log has an unexpected header, not reading it",
        ]);
        assert.equal(ctx.logs[0]?.header, "a,b,c");
        assert.deepEqual(await names(dir), [METRIC_LOG_FILE]);
      }),
  );

  await t.step(
    "unparseable rows are counted, the good ones drawn",
    () =>
      withPlot(async ({ log, ctx, plot }) => {
        await Deno.writeTextFile(log, HEADER + rows(1) + "junk\nb,1,2,-4\n" + rows(2));
        assert.equal(await plot.refresh(), true);
        assert.equal(ctx.counters.get("plot_skipped_rows"), 2);
        const warning = ctx.logs.find((entry) =>
          entry.event === "Skipped rows that cannot be parsed"
        );
        assert.deepEqual([warning?.skipped, warning?.line, warning?.reason], [
          2,
          3,
          "expected 4 fields, found 1",
        ]);
        assert.equal(updates(ctx)[0]?.rows, 2);
        await Deno.writeTextFile(log, "c,1,2,zz\n", { append: true });
        assert.equal(await plot.refresh(), false);
        assert.equal(ctx.counters.get("plot_skipped_rows"), 3);
      }),
  );

  await t.step(
    "a torn last line is reported once, then drawn when complete",
    () =>
      withPlot(async ({ log, ctx, plot }) => {
        await Deno.writeTextFile(log, HEADER + rows(1) + "x,1,2,");
        await plot.refresh();
        await plot.refresh();
        assert.deepEqual(
          events(ctx).filter((event) => event.includes("Torn")),
          ["info Torn last line left for the next tick"],
        );
        await Deno.writeTextFile(log, "6\n", { append: true });
        assert.equal(await plot.refresh(), true);
        assert.deepEqual(updates(ctx).map((update) => update.rows), [1, 2]);
      }),
  );

  await t.step(
    "a file replaced by one with the header only is drawn with 0 rows",
    () =>
      withPlot(async ({ log, ctx, plot }) => {
        await Deno.writeTextFile(log, HEADER + rows(1, 2, 3));
        await plot.refresh();
        await Deno.writeTextFile(log, HEADER);
        assert.equal(await plot.refresh(), true);
        assert.equal(plot.rows, 0);
        assert.deepEqual(events(ctx), [
          "info Metric log has rows",
          "info Histogram updated",
          "warn Metric log changed under the reader, reading it again",
          "info Metric log has no rows yet",
          "info Histogram updated",
        ]);
        assert.deepEqual(updates(ctx).map((update) => [update.rows, update.mae, update.bins]), [
          [3, 2, 2],
          [0, null, 0],
        ]);
      }),
  );
});

Deno.test("ErrorPlot tells onHistogram of each new histogram once, before and whatever the renderer does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plot_" });
  try {
    const ctx = fakeContext(plotSettings, { name: "plot", env: { LOGS_DIR: dir } });
    const told: [number[], number[], number][] = [];
    let fail = true;
    const rendered: number[] = [];
    const plot = await ErrorPlot.create(ctx, {
      renderer: {
        render: ({ models: [model] }) => {
          rendered.push(model!.summary.rows);
          if (fail) return Promise.reject(new Error("Cannot render: no canvas"));
          return Promise.resolve(new Uint8Array([1, 2, 3]));
        },
      },
      onHistogram: ({ models: [model] }) => {
        const { histogram, summary } = model!;
        told.push([[...histogram.edges], [...histogram.counts], summary.rows]);
      },
    });
    await Deno.writeTextFile(join(dir, METRIC_LOG_FILE), HEADER + rows(1, 3));
    await assert.rejects(plot.refresh(), { message: "Cannot render: no canvas" });
    fail = false;
    assert.equal(await plot.refresh(), true);
    assert.equal(await plot.refresh(), false);
    assert.deepEqual(told, [[[1, 2, 3], [1, 1], 2]]);
    assert.deepEqual(rendered, [2, 2]);
    assert.deepEqual(await Deno.readFile(join(dir, PLOT_FILE)), new Uint8Array([1, 2, 3]));
    assert.equal(plot.metricLogPath, join(dir, METRIC_LOG_FILE));
    assert.equal(plot.plotPath, join(dir, PLOT_FILE));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
