import assert from "node:assert/strict";
import { join } from "node:path";
import { createLogger } from "../../shared/logger.ts";
import { CSV_HEADER, recoverLog } from "./_recover_log.ts";

async function recover(content: string | undefined) {
  const dir = await Deno.makeTempDir({ prefix: "recover_log_test_" });
  const path = join(dir, "metric_log.csv");
  if (content !== undefined) await Deno.writeTextFile(path, content);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger("metrics", { write: (line) => logs.push(JSON.parse(line)) });
  try {
    const recovered = await recoverLog(path, { logger, ids: 10 });
    const read = (name: string) => Deno.readTextFile(name).catch(() => undefined);
    return {
      recovered,
      logs,
      csv: await read(path),
      rejected: await read(`${path}.rejected`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("recoverLog() creates the log with its header", async () => {
  const { csv, recovered } = await recover(undefined);
  assert.equal(csv, `${CSV_HEADER}\n`);
  assert.equal(recovered.rows, 0);
});

Deno.test("recoverLog() sets aside malformed lines with their line number and keeps every good row", async () => {
  const { csv, rejected, recovered, logs } = await recover(
    `${CSV_HEADER}\na,1,2,1\nhello\nb,3,1,2\nc,1,2\n"q,1",2,3,1\n`,
  );
  assert.equal(csv, `${CSV_HEADER}\na,1,2,1\nb,3,1,2\n"q,1",2,3,1\n`);
  assert.equal(
    rejected,
    'line,reason,content\n3,"expected 4 fields, got 1",hello\n5,"expected 4 fields, got 3","c,1,2"\n',
  );
  assert.equal(recovered.rows, 3);
  assert.deepEqual(recovered.ids.get("q,1"), { yTrue: 2, yPred: 3 });
  assert.equal(recovered.ids.has("hello"), false);
  const set = logs.filter((r) => r.event === "metric log lines set aside");
  assert.deepEqual(set.map((r) => [r.rejected, r.lines]), [[2, [3, 5]]]);
});

Deno.test("recoverLog() moves a torn last line to .rejected so it never merges with the next row", async () => {
  const { csv, rejected, recovered } = await recover(`${CSV_HEADER}\na,1,2,1\nb,3,`);
  assert.equal(csv, `${CSV_HEADER}\na,1,2,1\n`);
  assert.equal(rejected, 'line,reason,content\n3,torn: no line end,"b,3,"\n');
  assert.equal(recovered.rows, 1);
});

Deno.test("recoverLog() puts the header back when the first line is not it", async () => {
  const { csv, rejected } = await recover(`junk\na,1,2,1\n`);
  assert.equal(csv, `${CSV_HEADER}\na,1,2,1\n`);
  assert.equal(rejected, `line,reason,content\n1,"not the header ""${CSV_HEADER}""",junk\n`);
});
