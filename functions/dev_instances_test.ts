/**
 * `deno task dev` with an extra instance of a function from its command line:
 * `--instance model-sum=model MODEL=sum` runs a second model, in its own
 * consumer group, beside the four functions on the embedded broker, and each
 * model scores every observation.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { waitFor } from "../shared/testing/wait_for.ts";
import { consecutiveFreePorts } from "../shared/testing/consecutive_free_ports.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const N = 50;

async function consumed(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = text.match(
      /^pipeline_messages_consumed_total\{stream="features\/X",function="model"\} (\d+)$/m,
    );
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

Deno.test("dev runs --instance <group>=<function> VAR=value beside every function", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "dev-instances-" });
  // features, metrics, model, plot, then the instance: five ports from the base.
  const base = consecutiveFreePorts(5);
  const dev = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "-P=dev",
      "shared/dev.ts",
      "--instance",
      "model-sum=model",
      "MODEL=sum",
    ],
    cwd: ROOT,
    env: {
      NO_COLOR: "1",
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(base),
      LOGS_DIR: logsDir,
      FEATURES_INTERVAL_MS: "0",
      FEATURES_LIMIT: String(N),
      PLOT_INTERVAL_MS: "60000",
      // Both models are compared, so metrics joins (not dead-letters) the sum's predictions.
      CHALLENGERS: "sum",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([
    new Response(dev.stdout).text(),
    new Response(dev.stderr).text(),
  ]);
  try {
    await waitFor(`both models consumed ${N}`, async () => {
      return await consumed(base + 2) === N && await consumed(base + 4) === N;
    }, { timeoutMs: 60_000 });
  } finally {
    dev.kill("SIGTERM");
  }
  const [status, [stdout, stderr]] = await Promise.all([dev.status, output]);
  await Deno.remove(logsDir, { recursive: true });
  assert.equal(status.code, 0, `${stderr}\n${stdout.split("\n").slice(-40).join("\n")}`);
  assert.match(stderr, /^ {2}model-sum {4}http:\/\/127\.0\.0\.1:\d+\/healthz {2}\(model\)$/m);
  const loaded = stdout.split("\n").filter((line) => line.includes('"event":"model loaded"'))
    .map((line) => JSON.parse(line))
    .map((log) => [log.function, log.model]).toSorted();
  assert.deepEqual(loaded, [["model", "linear"], ["model-sum", "sum"]]);
  const started = stdout.split("\n").filter((line) => line.includes('"event":"function started"'))
    .map((line) => JSON.parse(line)).filter((log) => log.kind === "consumer")
    .map((log) => [log.function, log.group]).toSorted();
  assert.deepEqual(started, [["metrics", "metrics"], ["model", "model"], [
    "model-sum",
    "model-sum",
  ]]);
});
