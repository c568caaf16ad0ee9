import assert from "node:assert/strict";
import { decode } from "fast-png";
import type { ErrorDistributions } from "./error_distributions.ts";
import { type Histogram, histogram } from "./histogram.ts";
import {
  chartConfiguration,
  chartTitle,
  type ErrorSummary,
  HistogramChart,
  legendLabel,
  SERIES_COLOURS,
} from "./histogram_chart.ts";

/** A drawing of the champion's histogram alone. */
function alone(bins: Histogram, summary: ErrorSummary): ErrorDistributions {
  return { models: [{ model: "linear", champion: true, histogram: bins, summary }], verdicts: [] };
}

function distinctColours(png: Uint8Array): number {
  const image = decode(png);
  const colours = new Set<number>();
  const { data, channels } = image;
  for (let i = 0; i < data.length; i += channels) {
    colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  }
  return colours.size;
}

/** Pixels of the text's grey (chart.js draws text in #666) in rows `from` to `to` of the PNG. */
function textPixels(png: Uint8Array, from: number, to: number): number {
  const { data, channels, width } = decode(png);
  let count = 0;
  for (let y = from; y < to; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (r === g && g === b && r < 180) count++;
    }
  }
  return count;
}

Deno.test("chartTitle() reports rows, MAE and RMSE", async (t) => {
  await t.step("with rows", () => {
    assert.equal(
      chartTitle({ rows: 1_000_000, mae: 43.27751, rmse: 53.47612 }),
      "Error distribution: 1,000,000 rows, MAE 43.28, RMSE 53.48",
    );
    assert.equal(
      chartTitle({ rows: 1, mae: 0.00123456, rmse: 0.00123456 }),
      "Error distribution: 1 row, MAE 0.001235, RMSE 0.001235",
    );
  });

  await t.step("without rows", () => {
    assert.equal(chartTitle({ rows: 0, mae: NaN, rmse: NaN }), "Error distribution: 0 rows");
  });
});

Deno.test("chartConfiguration() draws adjacent bars labelled by bin edges", () => {
  const config = chartConfiguration(alone(histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), {
    rows: 10,
    mae: 4.5,
    rmse: 5.339,
  }));
  assert.equal(config.type, "bar");
  assert.deepEqual(config.data.labels, ["0–3", "3–6", "6–9"]);
  assert.deepEqual(config.data.datasets[0]?.data, [3, 3, 4]);
  const scales = config.options?.scales as Record<string, { title: { text: string } }>;
  assert.equal(scales.x?.title.text, "absolute error");
  assert.equal(scales.y?.title.text, "rows");
  assert.equal(
    config.options?.plugins?.title?.text,
    "Error distribution: 10 rows, MAE 4.5, RMSE 5.339",
  );
  assert.deepEqual(
    [config.options?.plugins?.legend?.display, config.options?.plugins?.subtitle?.display],
    [false, false],
  );
  assert.equal(config.data.datasets[0]?.backgroundColor, SERIES_COLOURS.alone[0]);
});

Deno.test("chartConfiguration() overlays several models with a legend and the verdicts", () => {
  const edges = [0, 5, 10];
  const config = chartConfiguration({
    models: [
      {
        model: "linear",
        champion: true,
        histogram: { edges, counts: [3, 1], rule: "sturges" },
        summary: { rows: 4, mae: 4.25, rmse: 5.5 },
      },
      {
        model: "forest",
        champion: false,
        histogram: { edges, counts: [0, 0], rule: "sturges" },
        summary: { rows: 0, mae: NaN, rmse: NaN },
      },
    ],
    verdicts: [{
      champion: "linear",
      challenger: "forest",
      pairs: 0,
      meanDifference: 0,
      interval: undefined,
      verdict: "undecided",
    }],
  });
  assert.deepEqual(config.data.labels, ["0–5", "5–10"]);
  assert.deepEqual(
    config.data.datasets.map((d) => [d.label, d.data, d.backgroundColor, d.grouped]),
    [
      [
        "linear (champion): 4 rows, MAE 4.25, RMSE 5.5",
        [3, 1],
        SERIES_COLOURS.overlaid[0][0],
        false,
      ],
      ["forest: 0 rows", [0, 0], SERIES_COLOURS.overlaid[1][0], false],
    ],
  );
  const plugins = config.options?.plugins;
  assert.equal(plugins?.legend?.display, true);
  assert.equal(plugins?.title?.text, "Error distribution by model");
  assert.deepEqual(plugins?.subtitle?.text, ["forest against linear: undecided (no pairs yet)"]);
});

Deno.test("legendLabel() names the model, marks the champion and gives its figures", () => {
  const summary = { rows: 442, mae: 43.2775, rmse: 54.1 };
  assert.equal(
    legendLabel({ model: "linear", champion: true, summary }),
    "linear (champion): 442 rows, MAE 43.28, RMSE 54.1",
  );
  assert.equal(
    legendLabel({ model: "forest", champion: false, summary }),
    "forest: 442 rows, MAE 43.28, RMSE 54.1",
  );
});

Deno.test("HistogramChart.render() returns a PNG of the configured size", async (t) => {
  const chart = await HistogramChart.create(640, 360);
  const errors = Array.from({ length: 2000 }, (_, i) => Math.abs(Math.sin(i) * 50 + (i % 7)));

  await t.step("with bars: 640×360 and more than a few colours", async () => {
    const png = await chart.render(alone(histogram(errors), { rows: 2000, mae: 1, rmse: 1 }));
    const image = decode(png);
    assert.deepEqual([image.width, image.height], [640, 360]);
    const colours = distinctColours(png);
    assert.ok(colours > 20, `only ${colours} colours`);
  });

  await t.step("with text: the title on top, the bin labels and axis title below", async () => {
    const png = await chart.render(alone(histogram(errors), { rows: 2000, mae: 1, rmse: 1 }));
    // Without a font the renderer draws no letter and raises nothing: these would be 0.
    const title = textPixels(png, 0, 30);
    const below = textPixels(png, 300, 360);
    assert.ok(title > 300, `only ${title} text pixels in the title`);
    assert.ok(below > 300, `only ${below} text pixels under the axis`);
  });

  await t.step("without rows: the same size, still axes and title", async () => {
    const png = await chart.render(alone(histogram([]), { rows: 0, mae: NaN, rmse: NaN }));
    const image = decode(png);
    assert.deepEqual([image.width, image.height], [640, 360]);
    assert.ok(distinctColours(png) > 5);
  });
});

Deno.test("HistogramChart.create() refuses a font the renderer cannot load", async () => {
  const path = await Deno.makeTempFile({ suffix: ".ttf" });
  try {
    await Deno.writeTextFile(path, "not a font");
    await assert.rejects(HistogramChart.create(100, 100, { fontPaths: [path] }), {
      name: "FontError",
      code: "FONT_UNAVAILABLE",
      message: `Cannot load font "${path}": not a font the renderer can read`,
    });
  } finally {
    await Deno.remove(path);
  }
});
