import assert from "node:assert/strict";
import { FloatList } from "./_float_list.ts";
import { parseErrorLines } from "./parse_error_lines.ts";

function parsed(text: string, firstLine = 2) {
  const out = new FloatList(2);
  const result = parseErrorLines(text, out, { firstLine });
  return { ...result, errors: [...out.view()] };
}

Deno.test("parseErrorLines() reads the error column of good rows", async (t) => {
  await t.step("plain rows, in file order", () => {
    assert.deepEqual(parsed("a,151,140.5,10.5\nb,75,80,5\nc,1,1,0\n"), {
      rows: 3,
      skipped: 0,
      firstSkipped: undefined,
      lines: 3,
      errors: [10.5, 5, 0],
    });
  });

  await t.step("CRLF endings, exponents and a last line without a newline", () => {
    assert.deepEqual(parsed("a,1,2,1e-3\r\nb,1,2,2.5\r\nc,1,2,7").errors, [0.001, 2.5, 7]);
  });

  await t.step("quoted fields go through csv-parse", () => {
    const result = parsed('"id,with comma",1,2,3\n"x ""y""",1,2,"4.5"\nplain,1,2,6\n');
    assert.deepEqual(result.errors, [3, 4.5, 6]);
    assert.equal(result.skipped, 0);
  });

  await t.step("ids, when asked for, of the good rows only, in step with the errors", () => {
    const out = new FloatList(2);
    const ids: string[] = [];
    const text = 'a,1,2,1\nbad,1,2,x\n"q,1",1,2,2\nc,1\n"r""s",1,2,"3"\r\nd,1,2,4';
    const result = parseErrorLines(text, out, { ids });
    assert.deepEqual([result.rows, result.skipped], [4, 2]);
    assert.deepEqual(ids, ["a", "q,1", 'r"s', "d"]);
    assert.deepEqual([...out.view()], [1, 2, 3, 4]);
  });

  await t.step("blank lines are not rows and not skipped", () => {
    const result = parsed("a,1,2,1\n\n\r\nb,1,2,2\n");
    assert.deepEqual([result.rows, result.skipped, result.lines], [2, 0, 4]);
  });
});

Deno.test("parseErrorLines() skips and counts rows it cannot use", async (t) => {
  const cases: [string, string][] = [
    ["a,1,2\n", "expected 4 fields, found 3"],
    ["a,1,2,3,4\n", "expected 4 fields, found 5"],
    ["garbage\n", "expected 4 fields, found 1"],
    ["a,1,2,abc\n", 'error "abc" is not a number'],
    ["a,1,2,\n", 'error "" is not a number'],
    ["a,1,2, \n", 'error " " is not a number'],
    ["a,1,2,NaN\n", 'error "NaN" is not a number'],
    ["a,1,2,Infinity\n", 'error "Infinity" is not a number'],
    ["a,1,2,-1.5\n", 'error "-1.5" is negative'],
    [
      'a,"1,2,3\n',
      "unparseable CSV: Quote Not Closed: the parsing is finished with an opening quote at line 1",
    ],
    ['"a",1,2\n', "expected 4 fields, found 3"],
  ];
  for (const [line, reason] of cases) {
    await t.step(`${JSON.stringify(line)}: ${reason}`, () => {
      assert.deepEqual(parsed(line, 7), {
        rows: 0,
        skipped: 1,
        firstSkipped: { line: 7, reason },
        lines: 1,
        errors: [],
      });
    });
  }

  await t.step("bad rows among good ones: the good are kept, the first bad is named", () => {
    const text = "a,1,2,1\nb,1,2,x\nc,1,2,2\nd,1\ne,1,2,3\n";
    assert.deepEqual(parsed(text, 10), {
      rows: 3,
      skipped: 2,
      firstSkipped: { line: 11, reason: 'error "x" is not a number' },
      lines: 5,
      errors: [1, 2, 3],
    });
  });

  await t.step("a long value is clipped to 40 characters in the reason", () => {
    const result = parsed(`a,1,2,${"z".repeat(100)}\n`);
    assert.equal(result.firstSkipped?.reason, `error "${"z".repeat(40)}…" is not a number`);
  });

  await t.step("many comma-free lines are each one skipped row", () => {
    const result = parsed("nocomma\n".repeat(1000));
    assert.deepEqual([result.rows, result.skipped, result.lines], [0, 1000, 1000]);
  });
});
