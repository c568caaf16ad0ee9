import assert from "node:assert/strict";
import { formatFigure } from "./format_figure.ts";

Deno.test("formatFigure() writes four significant digits, n/a for what is no figure", () => {
  assert.deepEqual(
    [43.27751, 0.00123456, 1_234_567, -3, 0, NaN, Infinity].map(formatFigure),
    ["43.28", "0.001235", "1235000", "-3", "0", "n/a", "n/a"],
  );
});
