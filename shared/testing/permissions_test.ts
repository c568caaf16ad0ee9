/**
 * Each function's sandbox, exercised for real: permission_probe.ts runs under the flags
 * `sandboxFlags()` computes from the function's declaration and its configuration (the flags
 * `deno task start` and the containers use) and reports what Deno allowed and what it
 * refused with NotCapable. Denied network checks fail in Deno's permission check before any
 * socket exists; the one target that would get a packet if the check were wrong is on
 * loopback (127.0.0.2).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_VARIABLES, loadConfig } from "../runtime/config.ts";
import { functionVariables, listFunctions, loadFunction } from "../runtime/load_function.ts";
import { sandboxFlags } from "../runtime/sandbox_flags.ts";
import type { ProbeResult } from "./permission_probe.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CSV = "data/diabetes_raw.csv";

/** Runs the probe in the sandbox of `name` configured by `env`; one result per check. */
async function probeAs(
  name: string,
  env: Record<string, string>,
  checks: string[],
): Promise<Map<string, ProbeResult>> {
  const flags = sandboxFlags(await loadFunction(name, env), loadConfig(env), { cwd: ROOT });
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--no-prompt",
      ...flags,
      "shared/testing/permission_probe.ts",
      ...checks,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `The probe in ${name}'s sandbox failed:\n${stderr}`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  const results = lines.map((line) => JSON.parse(line) as ProbeResult);
  assert.deepEqual(results.map((r) => r.check), checks);
  return new Map(results.map((r) => [r.check, r]));
}

/** Asserts each check's outcome: "ok" or the error name, e.g. "NotCapable". */
function assertOutcomes(results: Map<string, ProbeResult>, expected: Record<string, string>): void {
  const actual = Object.fromEntries(
    Object.keys(expected).map((check) => [check, results.get(check)?.outcome]),
  );
  assert.deepEqual(actual, expected);
}

/** A loopback listener the probe may connect to; accepts connections and closes them. */
async function withListener(use: (port: number) => Promise<void>): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    await use(listener.addr.port);
  } finally {
    listener.close();
    await accepting;
  }
}

Deno.test("each function's settings use its own prefix (or a documented shared one)", async () => {
  // The application's shared settings, functions/_settings.ts.
  const shared = ["DATA_DIR", "LOGS_DIR", "CHAMPION", "CHALLENGERS"];
  for (const name of listFunctions()) {
    const { definition } = await loadFunction(name, {});
    const prefix = name.toUpperCase();
    for (const variable of functionVariables(definition)) {
      const own = variable === prefix || variable.startsWith(`${prefix}_`);
      assert.ok(own || shared.includes(variable), `${name} reads "${variable}"`);
      assert.ok(!CONFIG_VARIABLES.includes(variable), `${name} redeclares "${variable}"`);
    }
  }
});

Deno.test("sandboxFlags() grants each function only what its declaration and config need", async (t) => {
  const outside = await Deno.makeTempDir({ prefix: "pipeline-outside-" });
  const csvBytes = (await Deno.stat(join(ROOT, CSV))).size;
  await Deno.copyFile(join(ROOT, CSV), join(outside, "diabetes_raw.csv"));
  await Deno.mkdir(join(ROOT, "logs"), { recursive: true });
  const probeName = `.permission-probe-${crypto.randomUUID()}.tmp`;
  try {
    await withListener(async (port) => {
      const env = { AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}`, HTTP_HOST: "0.0.0.0" };
      const common = {
        "read:/etc/hostname": "NotCapable",
        "read:./deno.json": "NotCapable",
        "write:/tmp/permission-probe.tmp": "NotCapable",
        "connect:127.0.0.2:9": "NotCapable",
        [`connect:127.0.0.1:${port}`]: "ok",
        "env:HOME": "NotCapable",
        "env:AMQP_URL": "ok",
      };
      const queries = [
        "query:net:192.0.2.1:80",
        "query:net:0.0.0.0:8080",
        "query:run",
        "query:sys",
      ];
      const expectQueries = (results: Map<string, ProbeResult>) => {
        assert.equal(results.get("query:net:192.0.2.1:80")?.detail, "prompt");
        assert.equal(results.get("query:net:0.0.0.0:8080")?.detail, "granted");
        assert.equal(results.get("query:run")?.detail, "prompt");
        assert.equal(results.get("query:sys")?.detail, "prompt");
      };

      for (const name of ["features", "model"]) {
        const other = name === "features" ? "model" : "features";
        await t.step(
          `${name} reads data/, its own code and nothing else, writes nothing`,
          async () => {
            const results = await probeAs(name, env, [
              ...Object.keys(common),
              ...queries,
              `read:functions/${name}/mod.ts`,
              `read:functions/${other}/mod.ts`,
              `read:${CSV}`,
              `write:data/${probeName}`,
              `write:logs/${probeName}`,
              `env:${other.toUpperCase()}_DELAY_MS`,
            ]);
            assertOutcomes(results, {
              ...common,
              [`read:functions/${name}/mod.ts`]: "ok",
              [`read:functions/${other}/mod.ts`]: "NotCapable",
              [`read:${CSV}`]: "ok",
              [`write:data/${probeName}`]: "NotCapable",
              [`write:logs/${probeName}`]: "NotCapable",
              [`env:${other.toUpperCase()}_DELAY_MS`]: "NotCapable",
            });
            assert.equal(results.get(`read:${CSV}`)?.detail, csvBytes);
            expectQueries(results);
          },
        );
      }

      await t.step(
        "DATA_DIR outside the repository moves features' read access there",
        async () => {
          const results = await probeAs("features", { ...env, DATA_DIR: outside }, [
            `read:${join(outside, "diabetes_raw.csv")}`,
            `read:${CSV}`,
          ]);
          assertOutcomes(results, {
            [`read:${join(outside, "diabetes_raw.csv")}`]: "ok",
            [`read:${CSV}`]: "NotCapable",
          });
        },
      );

      for (const name of ["metrics", "plot"]) {
        // plot uses no stream, so it may not reach the broker either.
        const broker = name === "plot" ? "NotCapable" : "ok";
        await t.step(`${name} writes in logs/ and cannot read data/`, async () => {
          const results = await probeAs(name, env, [
            ...Object.keys(common),
            ...queries,
            `read:${CSV}`,
            `write:logs/${probeName}`,
            `write:data/${probeName}`,
          ]);
          assertOutcomes(results, {
            ...common,
            [`connect:127.0.0.1:${port}`]: broker,
            [`read:${CSV}`]: "NotCapable",
            [`write:logs/${probeName}`]: "ok",
            [`write:data/${probeName}`]: "NotCapable",
          });
          expectQueries(results);
        });

        await t.step(
          `LOGS_DIR outside the repository moves ${name}'s write access there`,
          async () => {
            const results = await probeAs(name, { ...env, LOGS_DIR: outside }, [
              `write:${join(outside, probeName)}`,
              `write:logs/${probeName}`,
            ]);
            assertOutcomes(results, {
              [`write:${join(outside, probeName)}`]: "ok",
              [`write:logs/${probeName}`]: "NotCapable",
            });
          },
        );
      }
    });
    await t.step("no probe file was left behind", async () => {
      await assert.rejects(Deno.stat(join(ROOT, "logs", probeName)), Deno.errors.NotFound);
    });
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("sandboxFlags() lets a function reach every broker of a comma-separated AMQP_URL", async () => {
  const env = {
    AMQP_URL: "amqp://u:p@rabbit-0:5672,amqp://u:p@rabbit-1:5673,amqps://u:p@rabbit-2",
    HTTP_HOST: "127.0.0.1",
  };
  const flags = sandboxFlags(await loadFunction("model", env), loadConfig(env), { cwd: ROOT });
  const net = flags.find((flag) => flag.startsWith("--allow-net="));
  assert.equal(net, "--allow-net=127.0.0.1:8080,rabbit-0:5672,rabbit-1:5673,rabbit-2:5671");
});
