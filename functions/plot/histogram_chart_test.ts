import assert from "node:assert/strict";
import { decode } from "fast-png";
import { histogram } from "./histogram.ts";
import { chartConfiguration, chartTitle, HistogramChart } from "./histogram_chart.ts";

function distinctColours(png: Uint8Array): number {
  const image = decode(png);
  const colours = new Set<number>();
  const { data, channels } = image;
  for (let i = 0; i < data.length; i += channels) {
    colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  }
  return colours.size;
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
  const config = chartConfiguration(histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), {
    rows: 10,
    mae: 4.5,
    rmse: 5.339,
  });
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
});

Deno.test("HistogramChart.render() returns a PNG of the configured size", async (t) => {
  const chart = new HistogramChart(640, 360);
  const errors = Array.from({ length: 2000 }, (_, i) => Math.abs(Math.sin(i) * 50 + (i % 7)));

  await t.step("with bars: 640×360 and more than a few colours", async () => {
    const png = await chart.render(histogram(errors), { rows: 2000, mae: 1, rmse: 1 });
    const image = decode(png);
    assert.deepEqual([image.width, image.height], [640, 360]);
    const colours = distinctColours(png);
    assert.ok(colours > 20, `only ${colours} colours`);
  });

  await t.step("without rows: the same size, still axes and title", async () => {
    const png = await chart.render(histogram([]), { rows: 0, mae: NaN, rmse: NaN });
    const image = decode(png);
    assert.deepEqual([image.width, image.height], [640, 360]);
    assert.ok(distinctColours(png) > 5);
  });
});
