/**
 * Why the metric log is parsed by hand: csv-parse against
 * {@linkcode parseErrorLines} on the same 100 000 rows.
 * Run: `deno bench --frozen -P=bench bench/parse_error_lines_bench.ts`
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import { FloatList } from "../functions/plot/_float_list.ts";
import { parseErrorLines } from "../functions/plot/parse_error_lines.ts";

const ROWS = 100_000;
const text = Array.from({ length: ROWS }, (_, i) => {
  const truth = 25 + (i * 7919) % 322;
  const predicted = truth + Math.sin(i) * 60;
  return `${crypto.randomUUID()},${truth},${predicted},${Math.abs(truth - predicted)}\n`;
}).join("");

Deno.bench(
  "csv-parse, then Number() of the error column",
  { group: "parse", baseline: true },
  () => {
    const out = new FloatList();
    for (const record of parse(text) as string[][]) out.push(Number(record[3]));
    if (out.length !== ROWS) throw new Error(`Parsed ${out.length} rows`);
  },
);

Deno.bench("parseErrorLines()", { group: "parse" }, () => {
  const out = new FloatList();
  parseErrorLines(text, out);
  if (out.length !== ROWS) throw new Error(`Parsed ${out.length} rows`);
});
