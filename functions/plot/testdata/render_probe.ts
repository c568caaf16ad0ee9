/**
 * Draws one histogram with plot's renderer and font and prints one JSON line:
 * the PNG's size and what Deno says of FFI and reads outside the sandbox.
 * `sandbox_test.ts` runs it under plot's sandbox flags.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { HistogramChart } from "../histogram_chart.ts";

const chart = await HistogramChart.create(120, 100);
const png = await chart.render({
  models: [{
    model: "linear",
    champion: true,
    histogram: { edges: [0, 1, 2], counts: [1, 2], rule: "sturges" },
    summary: { rows: 3, mae: 1, rmse: 1 },
  }],
  verdicts: [],
});
const state = async (descriptor: Deno.PermissionDescriptor) =>
  (await Deno.permissions.query(descriptor)).state;
console.log(JSON.stringify({
  png: Array.from(png.subarray(0, 4)),
  bytes: png.length,
  ffiUsrLib: await state({ name: "ffi", path: "/usr/lib" }),
  readEtc: await state({ name: "read", path: "/etc/hostname" }),
  sys: await state({ name: "sys" }),
  run: await state({ name: "run" }),
}));
