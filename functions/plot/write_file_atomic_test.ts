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
