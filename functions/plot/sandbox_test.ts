import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../shared/runtime/config.ts";
import { loadFunction } from "../../shared/runtime/load_function.ts";
import { packagePath, sandboxFlags } from "../../shared/runtime/sandbox_flags.ts";
import { RENDERER_PACKAGE, RENDERER_VARIABLES } from "./renderer_package.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function flag(flags: readonly string[], name: string): string[] {
  const found = flags.find((f) => f.startsWith(`--allow-${name}=`));
  return found === undefined ? [] : found.slice(`--allow-${name}=`.length).split(",");
}

Deno.test("plot's sandbox loads the renderer's binary and font, and nothing more", async (t) => {
  const env = { HTTP_HOST: "127.0.0.1", HTTP_PORT: "0" };
  const flags = sandboxFlags(await loadFunction("plot", env), loadConfig(env), { cwd: ROOT });
  const renderer = packagePath(RENDERER_PACKAGE);
  const fonts = packagePath("dejavu-fonts-ttf/ttf");

  await t.step("FFI: only the folder of this platform's renderer binary", () => {
    assert.deepEqual(flag(flags, "ffi"), [renderer]);
    assert.match(renderer, /node_modules\/\.deno\/@napi-rs\+canvas-[a-z0-9-]+@1\.1\.1\//);
  });

  await t.step("reads: the binary's folder, the font's folder and ldd besides its own", () => {
    const reads = flag(flags, "read");
    for (const path of [renderer, fonts, "/usr/bin/ldd"]) assert.ok(reads.includes(path), path);
    assert.ok(
      !reads.some((path) => path === "/" || path === "/usr" || path.endsWith("/node_modules")),
    );
  });

  await t.step("env: the renderer's loader's three variables", () => {
    const variables = flag(flags, "env");
    for (const name of RENDERER_VARIABLES) assert.ok(variables.includes(name), name);
  });

  await t.step(
    "draws a PNG inside the sandbox; FFI elsewhere, sys and run stay denied",
    async () => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--frozen",
          "--no-prompt",
          ...flags,
          "functions/plot/testdata/render_probe.ts",
        ],
        cwd: ROOT,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      const result = JSON.parse(new TextDecoder().decode(output.stdout));
      assert.deepEqual(result.png, [0x89, 0x50, 0x4e, 0x47]);
      assert.ok(result.bytes > 500, `a PNG of ${result.bytes} bytes`);
      assert.deepEqual(
        [result.ffiUsrLib, result.readEtc, result.sys, result.run],
        ["prompt", "prompt", "prompt", "prompt"],
      );
    },
  );
});
