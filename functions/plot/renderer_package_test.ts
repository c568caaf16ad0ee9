import assert from "node:assert/strict";
import { rendererPackage } from "./renderer_package.ts";

Deno.test("rendererPackage() names @napi-rs/canvas's binary package for the platform", () => {
  assert.equal(rendererPackage("linux", "x86_64"), "@napi-rs/canvas-linux-x64-gnu");
  assert.equal(rendererPackage("linux", "aarch64"), "@napi-rs/canvas-linux-arm64-gnu");
  assert.equal(rendererPackage("darwin", "aarch64"), "@napi-rs/canvas-darwin-arm64");
  assert.equal(rendererPackage("windows", "x86_64"), "@napi-rs/canvas-win32-x64-msvc");
  assert.throws(() => rendererPackage("freebsd", "x86_64"), {
    name: "RangeError",
    message: 'Cannot draw on "freebsd" (x86_64): @napi-rs/canvas has no binary for it',
  });
});
