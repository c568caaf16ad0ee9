/**
 * Debian's Chromium, headless, driven by puppeteer-core, for the live page's
 * browser test and benchmark. Each launch gets a fresh profile directory,
 * removed at close.
 *
 * @module
 */
import puppeteer, { type Browser } from "puppeteer-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

// Without the background-networking flags Chromium tries to reach Google's
// services at start, and on a machine without network its connections are refused.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A running browser and how to end it. */
export interface Chromium {
  readonly browser: Browser;
  /** Closes the browser and removes its profile; may be called twice. */
  close(): Promise<void>;
}

/** Starts headless Chromium; fails with one line saying how to install it when missing. */
export async function launchChromium(): Promise<Chromium> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Cannot start the browser: ${CHROMIUM_PATH} is missing; install it with "apt-get install -y chromium"`,
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "chromium_profile_" });
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...ARGS, `--user-data-dir=${profile}`],
    });
  } catch (error) {
    await Deno.remove(profile, { recursive: true });
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    browser,
    close: () =>
      closing ??= (async () => {
        try {
          await browser.close();
        } finally {
          await Deno.remove(profile, { recursive: true });
        }
      })(),
  };
}
