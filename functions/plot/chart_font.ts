/**
 * The one font the chart is drawn in, shipped as an npm package so that every
 * machine and image draws the same letters. Without a registered font the
 * renderer draws no text at all and says nothing, so loading it is checked.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The family every text of the chart is set in. */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** DejaVu Sans, regular (axes) and bold (title), from the `dejavu-fonts-ttf` package. */
export const CHART_FONT_PATHS: readonly string[] = [
  fileURLToPath(import.meta.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
  fileURLToPath(import.meta.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
];

/** What {@linkcode loadChartFont} registers fonts with (the renderer's `GlobalFonts`). */
export interface FontRegistry {
  /** Registers a font file's bytes under a family name; null when they are not a font. */
  register(font: Uint8Array, nameAlias?: string): unknown;
  /** True when a family of that name can be drawn. */
  has(name: string): boolean;
}

/** The chart's font cannot be loaded: the chart would be drawn without any text. */
export class FontError extends Error {
  /** A stable code to branch on. */
  readonly code = "FONT_UNAVAILABLE";

  /** Creates a font error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FontError";
  }
}

/** Registers the chart's font files; throws {@linkcode FontError} naming the first that fails. */
export async function loadChartFonts(
  fonts: FontRegistry,
  paths: readonly string[] = CHART_FONT_PATHS,
): Promise<void> {
  for (const path of paths) await loadFont(fonts, path);
}

async function loadFont(fonts: FontRegistry, path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new FontError(`Cannot load font "${path}": ${detail}`, { cause: error });
  }
  if (fonts.register(bytes, CHART_FONT_FAMILY) === null || !fonts.has(CHART_FONT_FAMILY)) {
    throw new FontError(`Cannot load font "${path}": not a font the renderer can read`);
  }
}
