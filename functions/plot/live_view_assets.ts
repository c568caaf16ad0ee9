/**
 * The live page's static files, read once at start from fixed paths: its
 * HTML, style and script beside this module, and Chart.js's UMD build from
 * the project's own `chart.js` dependency (no CDN, no build step).
 *
 * @module
 */

/** One static file, in memory. */
export interface LiveViewAsset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

/** The page's static files by the exact path they are served at. */
export type LiveViewAssets = Readonly<Record<string, LiveViewAsset>>;

/** Chart.js's browser build in its npm package, as the plot's sandbox names it. */
export const CHART_JS_PACKAGE_FILE = "chart.js/dist/chart.umd.min.js";

/**
 * The same file on disk. The package's exports do not name it, but it lies
 * beside the module `chart.js` resolves to (`dist/chart.js`); the resolved URL
 * is the package's real path, which the sandbox allows, not the
 * `node_modules/chart.js` link to it, which it does not.
 */
export const CHART_JS_FILE = new URL("./chart.umd.min.js", import.meta.resolve("chart.js"));

const HTML = "text/html; charset=utf-8";
const SCRIPT = "text/javascript; charset=utf-8";
const STYLE = "text/css; charset=utf-8";
// Served so the browser asks for no /favicon.ico, which would be a 404 in its console.
const ICON = "image/svg+xml";

const FILES: readonly [path: string, file: URL, contentType: string][] = [
  ["/", new URL("./live_page.html", import.meta.url), HTML],
  ["/live_page.js", new URL("./live_page.js", import.meta.url), SCRIPT],
  ["/live_page.css", new URL("./live_page.css", import.meta.url), STYLE],
  ["/live_page_icon.svg", new URL("./live_page_icon.svg", import.meta.url), ICON],
  ["/chart.umd.min.js", CHART_JS_FILE, SCRIPT],
];

/** Reads the page's static files. */
export async function loadLiveViewAssets(): Promise<LiveViewAssets> {
  const assets: Record<string, LiveViewAsset> = {};
  for (const [path, file, contentType] of FILES) {
    try {
      assets[path] = { body: await Deno.readFile(file), contentType };
    } catch (error) {
      throw new Error(`Cannot load the live page's file "${file.pathname}": ${error}`, {
        cause: error,
      });
    }
  }
  return Object.freeze(assets);
}
