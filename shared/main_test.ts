// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import { waitFor } from "./testing/wait_for.ts";
import { delay } from "./runtime/backoff.ts";
import { spawnFunction } from "./testing/function_process.ts";

async function start(name: string, env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "start", name],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).split("\n")
    .filter((line) => line !== "" && !line.startsWith("Warning Permissions in the config file"));
  return { code: output.code, stderr };
}

Deno.test("deno task start stops a bad start with exit code 2 and one line", async (t) => {
  await t.step("a bad runtime variable is named", async () => {
    const { code, stderr } = await start("model", { HTTP_PORT: "http" });
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start "model": Invalid HTTP_PORT "http": expected a whole number',
    ]);
  });
  await t.step("a bad variable of the function's own is named", async () => {
    const { code, stderr } = await start("model", { MODEL: "boosting" });
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start "model": Invalid MODEL "boosting": expected one of linear, sum, forest',
    ]);
  });
  await t.step("an unknown function is named with the functions there are", async () => {
    const { code, stderr } = await start("forest", {});
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start function "forest": there is no functions/forest/mod.ts; ' +
      "the functions are features, metrics, model, plot",
    ]);
  });
});

Deno.test("main keeps a function up through a flood of idle connections to its health port", async () => {
  const connections: Deno.TcpConn[] = [];
  const model = await spawnFunction("model", {
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    LOG_LEVEL: "debug",
  }, { maxOpenFiles: 256 });
  try {
    const started = await model.waitForLog("start", (r) => r.event === "function started");
    const port = Number(started.httpPort);
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      try {
        connections.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch {
        refused++;
      }
    }
    // Long enough for accept to have failed on the old server, which then exited.
    await delay(1000);
    const opened = connections.length;
    connections.splice(0).forEach((c) => c.close());
    // Under load, the accept loop may have died on EMFILE: the server's own
    // watchdog then listens anew within about two checks (10 s).
    const since = performance.now();
    let body: unknown;
    await waitFor("/healthz to answer", async () => {
      try {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`, {
          signal: AbortSignal.timeout(2000),
        });
        body = await health.json();
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 30_000 });
    const relistened = model.logs.filter((r) =>
      r.event === "health server stopped answering, listening again"
    );
    console.log(
      `health flood: ${opened} connections opened, ${refused} refused by the kernel, ` +
        `under ulimit -n 256; /healthz answered after ${
          Math.round(performance.now() - since)
        } ms ` +
        `(${relistened.length} relisten)`,
    );
    assert.deepEqual(body, { status: "ok" });
    assert.equal(model.otherOutput.filter((l) => l.includes("Too many open files")).length, 0);
    assert.equal(await model.stop(), 0);
  } finally {
    connections.forEach((c) => c.close());
    await model.stop();
  }
});

Deno.test("main exits 1 on a busy health port before the source publishes anything", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const features = await spawnFunction("features", {
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: String(taken.addr.port),
    LOG_LEVEL: "debug",
    FEATURES_INTERVAL_MS: "0",
  });
  try {
    assert.equal(await features.exited, 1);
    assert.deepEqual(features.logs.map((r) => [r.level, r.event]), [
      ["error", "function could not start"],
    ]);
    assert.equal((features.logs[0]?.error as { code?: string }).code, "EADDRINUSE");
  } finally {
    taken.close();
    await features.stop();
  }
});
