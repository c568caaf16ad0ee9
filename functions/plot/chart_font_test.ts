import assert from "node:assert/strict";
import { join } from "node:path";
import { CHART_FONT_FAMILY, CHART_FONT_PATHS, FontError, loadChartFonts } from "./chart_font.ts";

/** A registry that accepts any bytes starting like a TrueType file, as Skia would. */
function fakeRegistry() {
  const registered: { bytes: number; alias: string | undefined }[] = [];
  return {
    registered,
    register(font: Uint8Array, alias?: string) {
      const trueType = font[0] === 0 && font[1] === 1 && font[2] === 0 && font[3] === 0;
      if (!trueType) return null;
      registered.push({ bytes: font.length, alias });
      return {};
    },
    has: (name: string) => registered.some((font) => font.alias === name),
  };
}

Deno.test("loadChartFonts() registers the shipped DejaVu Sans or says why it cannot", async (t) => {
  await t.step("the shipped regular and bold files, under one family", async () => {
    const fonts = fakeRegistry();
    await loadChartFonts(fonts);
    assert.deepEqual(CHART_FONT_PATHS.map((path) => path.split("/").at(-1)), [
      "DejaVuSans.ttf",
      "DejaVuSans-Bold.ttf",
    ]);
    assert.deepEqual(fonts.registered.map((font) => font.alias), [
      CHART_FONT_FAMILY,
      CHART_FONT_FAMILY,
    ]);
    assert.ok(fonts.registered.every((font) => font.bytes > 100_000));
  });

  const dir = await Deno.makeTempDir({ prefix: "chart_font_" });
  try {
    await t.step("a missing file: one line naming it", async () => {
      const path = join(dir, "missing.ttf");
      await assert.rejects(
        loadChartFonts(fakeRegistry(), [path]),
        (error: unknown) => {
          assert.ok(error instanceof FontError);
          assert.equal(error.code, "FONT_UNAVAILABLE");
          assert.match(error.message, /^Cannot load font ".*missing\.ttf": No such file/);
          assert.ok(!error.message.includes("\n"));
          return true;
        },
      );
    });

    await t.step("a file that is not a font", async () => {
      const path = join(dir, "notes.ttf");
      await Deno.writeTextFile(path, "not a font");
      await assert.rejects(loadChartFonts(fakeRegistry(), [path]), {
        name: "FontError",
        code: "FONT_UNAVAILABLE",
        message: `Cannot load font "${path}": not a font the renderer can read`,
      });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
