/**
 * Which npm package holds the renderer's compiled binary on this machine:
 * `@napi-rs/canvas` ships one package per platform (Skia built for it) and
 * loads the one that matches; the sandbox names exactly that one.
 *
 * @module
 */

/** The package of `@napi-rs/canvas`'s binary for an OS and CPU, as Deno names them. */
export function rendererPackage(
  os: typeof Deno.build.os = Deno.build.os,
  arch: typeof Deno.build.arch = Deno.build.arch,
): string {
  const cpu = arch === "aarch64" ? "arm64" : "x64";
  // On Linux the loader picks glibc or musl; Debian, and our images, are glibc.
  if (os === "linux") return `@napi-rs/canvas-linux-${cpu}-gnu`;
  if (os === "darwin") return `@napi-rs/canvas-darwin-${cpu}`;
  if (os === "windows") return `@napi-rs/canvas-win32-${cpu}-msvc`;
  throw new RangeError(`Cannot draw on "${os}" (${arch}): @napi-rs/canvas has no binary for it`);
}

/** This machine's renderer package. */
export const RENDERER_PACKAGE: string = rendererPackage();

/** What the renderer's loader reads from the environment (the last one plot sets itself). */
export const RENDERER_VARIABLES: readonly string[] = [
  "NAPI_RS_NATIVE_LIBRARY_PATH",
  "NAPI_RS_FORCE_WASI",
  "DISABLE_SYSTEM_FONTS_LOAD",
];
