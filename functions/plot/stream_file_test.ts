import assert from "node:assert/strict";
import { join } from "node:path";
import { streamFile } from "./stream_file.ts";

Deno.test("streamFile() streams the file with its content type, HEAD without body, 404 when missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "stream_file_" });
  try {
    const path = join(dir, "a.csv");
    await Deno.writeTextFile(path, "id,error\na,1\n");
    const got = await streamFile(path, { contentType: "text/csv; charset=utf-8" });
    assert.equal(got.status, 200);
    assert.equal(got.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(got.headers.get("x-content-type-options"), "nosniff");
    assert.equal(await got.text(), "id,error\na,1\n");

    const head = await streamFile(path, { contentType: "text/csv", method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, null);

    const missing = await streamFile(join(dir, "none.png"), { contentType: "image/png" });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await missing.text(), "Not found\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
