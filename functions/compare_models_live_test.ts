/**
 * Champion and challenger on the running pipeline, as a user starts it:
 * `deno task dev` (the forest beside the linear model) draws both in one PNG
 * with the verdict in plot's log; and with the sum model as the challenger,
 * the verdict finds the linear model better within a few hundred rows.
 */
// deno-lint-ignore-file no-console -- the test prints its figures
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decode } from "fast-png";
import { waitFor } from "../shared/testing/wait_for.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

interface Dev {
  readonly logs: Record<string, unknown>[];
  readonly startedAt: number;
  stop(): Promise<{ code: number; stderr: string }>;
}

/** Starts `deno task dev` (or dev.ts with `args`) on a private LOGS_DIR, collecting its JSON logs. */
function startDev(logsDir: string, env: Record<string, string>, args?: string[]): Dev {
  const command = args === undefined
    ? ["task", "dev"]
    : ["run", "--frozen", "-P=dev", "shared/dev.ts", ...args];
  const child = new Deno.Command(Deno.execPath(), {
    args: command,
    cwd: ROOT,
    env: { NO_COLOR: "1", HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOGS_DIR: logsDir, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: Record<string, unknown>[] = [];
  const stdout = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("{")) logs.push(JSON.parse(line));
      }
    }
  })();
  const stderr = new Response(child.stderr).text();
  return {
    logs,
    startedAt: performance.now(),
    async stop() {
      child.kill("SIGTERM");
      const [status, text] = await Promise.all([child.status, stderr, stdout]);
      return { code: status.code, stderr: text };
    },
  };
}

function verdicts(dev: Dev, challenger: string): Record<string, unknown>[] {
  return dev.logs.filter((log) =>
    log.function === "plot" && log.event === "verdict" && log.challenger === challenger
  );
}

async function rows(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").length - 2;
  } catch {
    return 0;
  }
}

Deno.test("deno task dev draws champion and challenger in one PNG, with the verdict in the log", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "compare-dev-" });
  const dev = startDev(logsDir, { PLOT_INTERVAL_MS: "1000" });
  let seconds = NaN;
  try {
    const plotFile = join(logsDir, "error_distribution.png");
    const drawn = () =>
      dev.logs.some((log) => log.event === "Histogram updated" && Number(log.rows) > 0);
    await waitFor("a verdict on scored pairs, and the PNG", async () => {
      const scored = verdicts(dev, "forest").some((log) => Number(log.pairs) > 0);
      return scored && drawn() && await Deno.stat(plotFile).then(() => true, () => false);
    }, { timeoutMs: 60_000, intervalMs: 100 });
    seconds = (performance.now() - dev.startedAt) / 1000;
    const verdict = verdicts(dev, "forest").find((log) => Number(log.pairs) > 0)!;
    assert.equal(verdict.champion, "linear");
    assert.ok(await rows(join(logsDir, "metric_log.csv")) > 0);
    assert.ok(await rows(join(logsDir, "metric_log.forest.csv")) > 0);
    const png = decode(await Deno.readFile(plotFile));
    assert.deepEqual([png.width, png.height], [800, 500]);
  } finally {
    const { code, stderr } = await dev.stop();
    await Deno.remove(logsDir, { recursive: true });
    assert.equal(code, 0, stderr);
  }
  console.log(`compare(dev): first verdict and two-model PNG ${seconds.toFixed(1)} s after start`);
});

Deno.test("on the running pipeline, the sum model comes out worse than the linear model within 300 rows", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "compare-sum-" });
  const N = 300;
  const dev = startDev(logsDir, {
    CHALLENGERS: "sum",
    FEATURES_LIMIT: String(N),
    FEATURES_INTERVAL_MS: "0",
    FEATURES_SEED: "12",
    PLOT_INTERVAL_MS: "200",
  }, ["--instance", "model-sum=model", "MODEL=sum"]);
  let last: Record<string, unknown> | undefined;
  try {
    await waitFor(`a verdict on all ${N} pairs`, () => {
      last = verdicts(dev, "sum").at(-1);
      return last?.pairs === N;
    }, { timeoutMs: 60_000, intervalMs: 100 });
    assert.equal(await rows(join(logsDir, "metric_log.csv")), N);
    assert.equal(await rows(join(logsDir, "metric_log.sum.csv")), N);
  } finally {
    const { code, stderr } = await dev.stop();
    await Deno.remove(logsDir, { recursive: true });
    assert.equal(code, 0, stderr);
  }
  assert.equal(last!.verdict, "challenger worse");
  const decided = verdicts(dev, "sum").find((log) => log.verdict === "challenger worse")!;
  console.log(
    `compare(sum vs linear): pairs=${last!.pairs} meanDifference=${
      Number(last!.meanDifference).toFixed(2)
    } verdict="${last!.verdict}"; first "challenger worse" at ${decided.pairs} pairs`,
  );
});
