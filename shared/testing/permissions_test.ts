/**
 * The permission sets in deno.json, exercised for real: permission_probe.ts runs under each
 * function's set (the one `deno task start` and the containers use) and reports what Deno
 * allowed and what it refused with NotCapable. Denied network checks fail in Deno's
 * permission check before any socket exists; the one target that would get a packet if the
 * check were wrong is on loopback (127.0.0.2).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CONFIG_VARIABLES } from "../runtime/config.ts";
import { FUNCTION_NAMES, type FunctionName } from "../runtime/function_command.ts";
import type { ProbeResult } from "./permission_probe.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DENO_JSON = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
const CANVAS_RELEASE = "./node_modules/.deno/canvas@3.2.3/node_modules/canvas/build/Release";
const CSV = "data/diabetes_raw.csv";

/** Runs the probe under `-P=<name>` from the repo root; one result per check, by check. */
async function probeAs(name: FunctionName, checks: string[]): Promise<Map<string, ProbeResult>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--frozen", `-P=${name}`, "shared/testing/permission_probe.ts", ...checks],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `The probe under -P=${name} failed:\n${stderr}`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  const results = lines.map((line) => JSON.parse(line) as ProbeResult);
  assert.deepEqual(results.map((r) => r.check), checks);
  return new Map(results.map((r) => [r.check, r]));
}

/** Asserts each check's outcome: "ok" or the error name, e.g. "NotCapable". */
function assertOutcomes(
  results: Map<string, ProbeResult>,
  expected: Record<string, string>,
): void {
  const actual = Object.fromEntries(
    Object.keys(expected).map((check) => [check, results.get(check)?.outcome]),
  );
  assert.deepEqual(actual, expected);
}

/** The variables loadConfig() reads for `name`: the runtime's plus those of its own prefix. */
function variablesOf(name: FunctionName): string[] {
  const owner = (variable: string) =>
    FUNCTION_NAMES.find((f) => {
      const prefix = f.toUpperCase();
      return variable === prefix || variable.startsWith(`${prefix}_`);
    });
  return CONFIG_VARIABLES.filter((v) => owner(v) === undefined || owner(v) === name).sort();
}

/** A loopback listener the probe may connect to; accepts one connection and closes it. */
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

Deno.test("deno.json permission sets grant each function only what its config and work need", async (t) => {
  const csvBytes = (await Deno.stat(`${ROOT}${CSV}`)).size;
  await Deno.mkdir(`${ROOT}logs`, { recursive: true });
  const probeFile = `logs/.permission-probe-${crypto.randomUUID()}.tmp`;

  await t.step("each set's env list is exactly the variables its config reads", () => {
    for (const name of FUNCTION_NAMES) {
      assert.deepEqual([...DENO_JSON.permissions[name].env].sort(), variablesOf(name), name);
    }
  });

  await t.step("each set names only the kinds of access its function uses", () => {
    const kinds = (name: string) => Object.keys(DENO_JSON.permissions[name]).sort();
    assert.deepEqual(kinds("features"), ["env", "net", "read"]);
    assert.deepEqual(kinds("model"), ["env", "net", "read"]);
    assert.deepEqual(kinds("metrics"), ["env", "net", "read", "write"]);
    assert.deepEqual(kinds("plot"), ["env", "ffi", "net", "read", "write"]);
  });

  await t.step("the plot's canvas path names the canvas version in deno.lock", async () => {
    const lock = JSON.parse(await Deno.readTextFile(`${ROOT}deno.lock`));
    const canvases = Object.keys(lock.npm).filter((key) => key.startsWith("canvas@"));
    assert.deepEqual(canvases, ["canvas@3.2.3"]);
    assert.deepEqual(DENO_JSON.permissions.plot.ffi, [CANVAS_RELEASE]);
    assert.ok(DENO_JSON.permissions.plot.read.includes(CANVAS_RELEASE));
  });

  await withListener(async (port) => {
    const common = [
      "read:/etc/hostname",
      "read:./deno.json",
      "write:/tmp/permission-probe.tmp",
      "connect:127.0.0.2:9",
      `connect:127.0.0.1:${port}`,
      "query:net:192.0.2.1:80",
      "query:net:0.0.0.0:8080",
      "query:run",
      "query:sys",
      "env:HOME",
      "env:AMQP_URL",
    ];
    // Each set may read its own function's code (for main.ts's dynamic import), no other's.
    const otherCode = (name: FunctionName) =>
      `read:functions/${name === "model" ? "features" : "model"}/mod.ts`;
    const denied = {
      "read:/etc/hostname": "NotCapable",
      "read:./deno.json": "NotCapable",
      "write:/tmp/permission-probe.tmp": "NotCapable",
      "connect:127.0.0.2:9": "NotCapable",
      "env:HOME": "NotCapable",
    };
    const allowed = { [`connect:127.0.0.1:${port}`]: "ok", "env:AMQP_URL": "ok" };

    for (const name of ["features", "model"] as const) {
      await t.step(`${name} reads data/ and nothing else, writes nothing`, async () => {
        const other = name === "features" ? "env:MODEL" : "env:FEATURES_SEED";
        const results = await probeAs(name, [
          ...common,
          otherCode(name),
          `read:functions/${name}/mod.ts`,
          `read:${CSV}`,
          `write:data/permission-probe.tmp`,
          `write:${probeFile}`,
          "query:net:rabbitmq:5672",
          "query:ffi",
          other,
        ]);
        assertOutcomes(results, {
          ...denied,
          ...allowed,
          [otherCode(name)]: "NotCapable",
          [`read:functions/${name}/mod.ts`]: "ok",
          [`read:${CSV}`]: "ok",
          "write:data/permission-probe.tmp": "NotCapable",
          [`write:${probeFile}`]: "NotCapable",
          [other]: "NotCapable",
        });
        assert.equal(results.get(`read:${CSV}`)?.detail, csvBytes);
        assert.equal(results.get("query:net:192.0.2.1:80")?.detail, "prompt");
        assert.equal(results.get("query:net:rabbitmq:5672")?.detail, "granted");
        assert.equal(results.get("query:net:0.0.0.0:8080")?.detail, "granted");
        assert.equal(results.get("query:run")?.detail, "prompt");
        assert.equal(results.get("query:sys")?.detail, "prompt");
        assert.equal(results.get("query:ffi")?.detail, "prompt");
      });
    }

    await t.step("metrics writes in logs/ and cannot read data/", async () => {
      const results = await probeAs("metrics", [
        ...common,
        otherCode("metrics"),
        `read:${CSV}`,
        `write:${probeFile}`,
        "write:data/permission-probe.tmp",
        "query:net:rabbitmq:5672",
        "env:PLOT_WIDTH",
      ]);
      assertOutcomes(results, {
        ...denied,
        ...allowed,
        [otherCode("metrics")]: "NotCapable",
        [`read:${CSV}`]: "NotCapable",
        [`write:${probeFile}`]: "ok",
        "write:data/permission-probe.tmp": "NotCapable",
        "env:PLOT_WIDTH": "NotCapable",
      });
      assert.equal(results.get("query:net:rabbitmq:5672")?.detail, "granted");
      assert.equal(results.get("query:net:192.0.2.1:80")?.detail, "prompt");
    });

    await t.step(
      "plot writes in logs/, loads canvas, reaches no broker or other host",
      async () => {
        const results = await probeAs("plot", [
          ...common,
          otherCode("plot"),
          `read:${CSV}`,
          `write:${probeFile}`,
          "query:net:rabbitmq:5672",
          `query:ffi:${CANVAS_RELEASE}/canvas.node`,
          "query:ffi:/usr/lib",
          "render",
        ]);
        assertOutcomes(results, {
          ...denied,
          ...allowed,
          [otherCode("plot")]: "NotCapable",
          [`read:${CSV}`]: "NotCapable",
          [`write:${probeFile}`]: "ok",
          render: "ok",
        });
        assert.equal(results.get("query:net:rabbitmq:5672")?.detail, "prompt");
        assert.equal(results.get("query:net:192.0.2.1:80")?.detail, "prompt");
        assert.equal(results.get(`query:ffi:${CANVAS_RELEASE}/canvas.node`)?.detail, "granted");
        assert.equal(results.get("query:ffi:/usr/lib")?.detail, "prompt");
        const png = results.get("render")?.detail;
        assert.ok(typeof png === "number" && png > 100, `Expected a PNG's size, got ${png}`);
      },
    );
  });

  await t.step("no probe file was left behind", async () => {
    await assert.rejects(Deno.stat(`${ROOT}${probeFile}`), Deno.errors.NotFound);
  });
});
