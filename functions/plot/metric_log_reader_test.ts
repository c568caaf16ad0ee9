import assert from "node:assert/strict";
import { join } from "node:path";
import { METRIC_LOG_HEADER, MetricLogReader } from "./metric_log_reader.ts";

const HEADER = `${METRIC_LOG_HEADER}\n`;

function rows(...errors: number[]): string {
  return errors.map((error, i) => `id-${i}-${error},100,${100 + error},${error}\n`).join("");
}

async function withDir(test: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plot_reader_" });
  try {
    await test(join(dir, "metric_log.csv"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function append(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text, { append: true });
}

Deno.test("MetricLogReader.read() says what it found in a file without rows", async (t) => {
  await t.step("a missing file", () =>
    withDir(async (path) => {
      const read = await new MetricLogReader(path).read();
      assert.equal(read.status, "missing");
      assert.deepEqual([...read.errors], []);
      assert.equal(read.reset, undefined);
    }));

  await t.step("an empty file, then one with only the header", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      await Deno.writeTextFile(path, "");
      assert.equal((await reader.read()).status, "empty");
      await append(path, HEADER);
      const read = await reader.read();
      assert.deepEqual([read.status, read.errors.length, read.skipped, read.tornBytes], [
        "empty",
        0,
        0,
        0,
      ]);
    }));

  await t.step("a header still being written is torn, not wrong", () =>
    withDir(async (path) => {
      await Deno.writeTextFile(path, "id,y_tr");
      const read = await new MetricLogReader(path).read();
      assert.deepEqual([read.status, read.tornBytes, read.header], ["empty", 7, undefined]);
    }));

  await t.step(
    "a wrong header: no row is read, not even rows appended later",
    () =>
      withDir(async (path) => {
        const reader = new MetricLogReader(path);
        await Deno.writeTextFile(path, `id,error\n${rows(1, 2)}`);
        const first = await reader.read();
        assert.deepEqual([first.status, first.header, first.errors.length], [
          "bad-header",
          "id,error",
          0,
        ]);
        await append(path, rows(3));
        const second = await reader.read();
        assert.deepEqual([second.status, second.errors.length, second.skipped], [
          "bad-header",
          0,
          0,
        ]);
      }),
  );
});

Deno.test("MetricLogReader.read() returns exactly the rows appended since the last read", async (t) => {
  await t.step(
    "three reads: the first rows, the two appended, then none",
    () =>
      withDir(async (path) => {
        const reader = new MetricLogReader(path);
        await Deno.writeTextFile(path, HEADER + rows(3, 1, 4));
        const first = await reader.read();
        assert.deepEqual([first.status, ...first.errors], ["rows", 3, 1, 4]);
        await append(path, rows(1.5, 9));
        assert.deepEqual([...(await reader.read()).errors], [1.5, 9]);
        const third = await reader.read();
        assert.deepEqual([third.status, third.errors.length, third.reset], ["rows", 0, undefined]);
      }),
  );

  await t.step(
    "ids beside the errors when asked for, none otherwise",
    () =>
      withDir(async (path) => {
        await Deno.writeTextFile(path, HEADER + rows(3, 1) + "x,1,2,zz\nz,1,5,4\n");
        const withIds = await new MetricLogReader(path, { ids: true, chunkBytes: 64 }).read();
        assert.deepEqual([...withIds.errors], [3, 1, 4]);
        assert.deepEqual(withIds.ids, ["id-0-3", "id-1-1", "z"]);
        assert.deepEqual((await new MetricLogReader(path).read()).ids, []);
      }),
  );

  await t.step("chunks smaller than the file split no row", () =>
    withDir(async (path) => {
      const errors = Array.from({ length: 500 }, (_, i) => i / 4);
      await Deno.writeTextFile(path, HEADER + rows(...errors));
      const read = await new MetricLogReader(path, { chunkBytes: 64 }).read();
      assert.deepEqual([...read.errors], errors);
      assert.equal(read.skipped, 0);
    }));

  await t.step("a torn last line is left, then read once completed", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      await Deno.writeTextFile(path, HEADER + rows(1, 2) + "id-x,100,10");
      const first = await reader.read();
      assert.deepEqual([[...first.errors], first.tornBytes, first.skipped], [[1, 2], 11, 0]);
      await append(path, "7,7.5\n");
      const second = await reader.read();
      assert.deepEqual([[...second.errors], second.tornBytes], [[7.5], 0]);
    }));

  await t.step("CRLF endings and a byte-order mark are accepted", () =>
    withDir(async (path) => {
      await Deno.writeTextFile(path, `\uFEFF${METRIC_LOG_HEADER}\r\na,1,2,1\r\nb,1,2,2\r\n`);
      const read = await new MetricLogReader(path).read();
      assert.deepEqual([read.status, ...read.errors], ["rows", 1, 2]);
    }));
});

Deno.test("MetricLogReader.read() skips rows it cannot parse and names the first", async (t) => {
  await t.step("garbage lines among good rows", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      const text = HEADER + rows(1) + "garbage\n" + "b,1,2,abc\n" + "c,1,2,-3\n" +
        "d,1,2,NaN\n" + "e,1,2,3,4\n" + "\x00\xff\n" + rows(2);
      await Deno.writeTextFile(path, text);
      const read = await reader.read();
      assert.deepEqual([...read.errors], [1, 2]);
      assert.equal(read.skipped, 6);
      assert.deepEqual(read.firstSkipped, { line: 3, reason: "expected 4 fields, found 1" });
      await append(path, "f,1,2,x\n");
      const next = await reader.read();
      assert.deepEqual([next.skipped, next.firstSkipped], [1, {
        line: 10,
        reason: 'error "x" is not a number',
      }]);
    }));

  await t.step(
    "a line longer than a chunk is one skipped row; reading goes on",
    () =>
      withDir(async (path) => {
        const reader = new MetricLogReader(path, { chunkBytes: 64 });
        await Deno.writeTextFile(path, HEADER + rows(1) + `${"x".repeat(200)}\n` + rows(2));
        const read = await reader.read();
        assert.deepEqual([[...read.errors], read.skipped], [[1, 2], 1]);
        assert.deepEqual(read.firstSkipped, { line: 3, reason: "line longer than 64 bytes" });
        await append(path, rows(3));
        assert.deepEqual([...(await reader.read()).errors], [3]);
      }),
  );
});

Deno.test("MetricLogReader.read() reads a replaced or truncated file again from the start", async (t) => {
  await t.step("truncated to fewer bytes than were read", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      await Deno.writeTextFile(path, HEADER + rows(1, 2, 3));
      await reader.read();
      await Deno.writeTextFile(path, HEADER + rows(8));
      const read = await reader.read();
      assert.deepEqual([read.reset, read.status, ...read.errors], ["truncated", "rows", 8]);
    }));

  await t.step("truncated to the header only", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      await Deno.writeTextFile(path, HEADER + rows(1, 2, 3));
      await reader.read();
      await Deno.writeTextFile(path, HEADER);
      const read = await reader.read();
      assert.deepEqual([read.reset, read.status, read.errors.length], ["truncated", "empty", 0]);
    }));

  await t.step("replaced by rename with a larger file", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      await Deno.writeTextFile(path, HEADER + rows(1));
      await reader.read();
      const next = `${path}.next`;
      await Deno.writeTextFile(next, HEADER + rows(5, 6, 7));
      await Deno.rename(next, path);
      const read = await reader.read();
      assert.deepEqual([read.reset, ...read.errors], ["replaced", 5, 6, 7]);
    }));

  await t.step(
    "rewritten in place, same inode, larger, different first rows",
    () =>
      withDir(async (path) => {
        const reader = new MetricLogReader(path);
        await Deno.writeTextFile(path, HEADER + "a,1,2,1\n");
        await reader.read();
        const inode = (await Deno.stat(path)).ino;
        await Deno.writeTextFile(path, HEADER + "z,1,2,4\nz2,1,2,5\n");
        assert.equal((await Deno.stat(path)).ino, inode);
        const read = await reader.read();
        assert.deepEqual([read.reset, ...read.errors], ["replaced", 4, 5]);
      }),
  );

  await t.step("deleted, then written again", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      await Deno.writeTextFile(path, HEADER + rows(1, 2));
      await reader.read();
      await Deno.remove(path);
      const gone = await reader.read();
      assert.deepEqual([gone.status, gone.reset, gone.errors.length], ["missing", undefined, 0]);
      await Deno.writeTextFile(path, HEADER + rows(3, 4, 5));
      const back = await reader.read();
      assert.deepEqual([back.status, back.reset, ...back.errors], ["rows", "replaced", 3, 4, 5]);
    }));

  await t.step("a wrong header replaced by a right one is read", () =>
    withDir(async (path) => {
      const reader = new MetricLogReader(path);
      await Deno.writeTextFile(path, "nope\n");
      assert.equal((await reader.read()).status, "bad-header");
      await Deno.writeTextFile(path, HEADER + rows(2));
      const read = await reader.read();
      assert.deepEqual([read.status, read.reset, ...read.errors], ["rows", "replaced", 2]);
    }));
});

Deno.test("MetricLogReader rejects a chunk size below 64 bytes", () => {
  assert.throws(() => new MetricLogReader("x.csv", { chunkBytes: 8 }), {
    name: "RangeError",
    message: 'Cannot read "x.csv": chunkBytes "8" is below 64',
  });
});
