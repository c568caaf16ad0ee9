/**
 * `deno task dev` stops on SIGTERM (Ctrl-C sends SIGINT, handled the same)
 * whenever it comes: while the functions are still starting as well as once
 * they run. A stop during a start used to be missed (the function's listener
 * was added to a signal that had already fired) and dev never exited.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { delay } from "../shared/runtime/backoff.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

async function stopAfter(ms: number): Promise<{ code: number; seconds: number; stderr: string }> {
  const logsDir = await Deno.makeTempDir({ prefix: "dev-stop-" });
  const dev = new Deno.Command(Deno.execPath(), {
    args: ["run", "--frozen", "-P=dev", "shared/dev.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1", HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOGS_DIR: logsDir },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines = dev.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  // The banner comes before any function starts.
  while (!stderr.includes("Press Ctrl-C to stop.")) {
    const { value, done } = await lines.read();
    if (done) break;
    stderr += value;
  }
  await delay(ms);
  const stopped = performance.now();
  dev.kill("SIGTERM");
  const exit = await Promise.race([dev.status, delay(20_000).then(() => undefined)]);
  if (exit === undefined) dev.kill("SIGKILL");
  const status = exit ?? await dev.status;
  for (let chunk = await lines.read(); !chunk.done; chunk = await lines.read()) {
    stderr += chunk.value;
  }
  await Deno.remove(logsDir, { recursive: true });
  return { code: status.code, seconds: (performance.now() - stopped) / 1000, stderr };
}

Deno.test("deno task dev exits on SIGTERM while its functions start and once they run", async (t) => {
  for (const ms of [0, 150, 400, 3000]) {
    await t.step(`SIGTERM ${ms} ms after the banner`, async () => {
      const { code, seconds, stderr } = await stopAfter(ms);
      assert.equal(code, 0, `exit ${code} after ${seconds.toFixed(1)} s\n${stderr}`);
    });
  }
});
