import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic } from "./write_file_atomic.ts";

Deno.test("writeFileAtomic() replaces the file and leaves no temporary file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "plot_atomic_" });
  try {
    const path = join(dir, "picture.png");

    await t.step("creates the file", async () => {
      await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
      assert.deepEqual([...await Deno.readFile(path)], [1, 2, 3]);
    });

    await t.step("replaces it whole", async () => {
      await writeFileAtomic(path, new Uint8Array([9]));
      assert.deepEqual([...await Deno.readFile(path)], [9]);
      assert.deepEqual(await names(dir), ["picture.png"]);
    });

    await t.step("a failed rename removes the temporary file and rethrows", async () => {
      const folder = join(dir, "folder");
      await Deno.mkdir(join(folder, "inside"), { recursive: true });
      await assert.rejects(writeFileAtomic(folder, new Uint8Array([1])));
      assert.deepEqual(await names(dir), ["folder", "picture.png"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
}

Deno.test("writeFileAtomic() from two writers at once: a reader sees one whole file or the other", async () => {
  // Two plot replicas drawing one PNG: each replaces it whole, the last one wins.
  const dir = await Deno.makeTempDir({ prefix: "write_file_atomic_test_" });
  const path = join(dir, "error_distribution.png");
  const contents = [new Uint8Array(256 * 1024).fill(1), new Uint8Array(128 * 1024).fill(2)];
  let done = false;
  let reads = 0;
  try {
    await writeFileAtomic(path, contents[0]!);
    const writers = contents.map(async (data) => {
      for (let i = 0; i < 40; i++) await writeFileAtomic(path, data);
    });
    const reader = (async () => {
      while (!done) {
        const read = await Deno.readFile(path);
        assert.ok(
          contents.some((c) => c.length === read.length && c.every((b, i) => read[i] === b)),
          `read ${read.length} bytes that are neither file`,
        );
        reads++;
      }
    })();
    await Promise.all(writers);
    done = true;
    await reader;
    assert.ok(reads > 0);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["error_distribution.png"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
