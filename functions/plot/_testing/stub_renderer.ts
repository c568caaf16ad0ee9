/**
 * A PNG renderer that draws no chart: a 1 × 1 white PNG and a count of its
 * calls. The live page's tests and benchmark use it so they measure the page
 * alone, and run where canvas's native addon is not built.
 *
 * @module
 */
import { encode } from "fast-png";
import type { HistogramRenderer } from "../error_plot.ts";

/** A renderer that counts its calls. */
export interface StubRenderer extends HistogramRenderer {
  /** How many PNGs it produced. */
  readonly calls: number;
}

/** Creates a renderer whose every PNG is 1 × 1 white. */
export function stubRenderer(): StubRenderer {
  const png = encode({ width: 1, height: 1, data: new Uint8Array([255, 255, 255]), channels: 3 });
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    render: () => {
      calls++;
      return Promise.resolve(png);
    },
  };
}
