/**
 * Dockerfile.deno, checked without a Docker engine: its instructions are read as Docker reads
 * them, and its shell steps (the install and the CMD) are run by `sh` against a stand-in
 * `deno` that prints its arguments, so the test sees the exact argv each image would run.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { listFunctions } from "../runtime/load_function.ts";

const FUNCTION_NAMES = listFunctions();

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/**
 * Dockerfile instructions with continuation lines joined and comments dropped. Written by hand
 * because no Dockerfile parser is among the dependencies; it follows the reference's rules for
 * the syntax this file uses (backslash continuation, `#` comment lines, no parser directives
 * other than the default escape).
 */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && pending === "")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = "";
    const space = full.search(/\s/);
    instructions.push({ keyword: full.slice(0, space).toUpperCase(), args: full.slice(space + 1) });
  }
  return instructions;
}

/** The instructions of each stage; stage 0 holds what precedes the first FROM. */
function stages(instructions: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [[]];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

/** Runs a shell script with FUNCTION set and `deno` replaced by an argv printer. */
async function argvOf(script: string, fn: string, dir: string): Promise<string[]> {
  const output = await new Deno.Command("sh", {
    args: ["-c", script],
    cwd: ROOT,
    env: { PATH: `${dir}:/usr/bin:/bin`, FUNCTION: fn },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout).split("\n").slice(0, -1);
}

const NAPI = "node_modules/.deno/@napi-rs+canvas";
const GNU =
  `${NAPI}-linux-x64-gnu@1.1.1/node_modules/@napi-rs/canvas-linux-x64-gnu/skia.linux-x64-gnu.node`;
const MUSL =
  `${NAPI}-linux-x64-musl@1.1.1/node_modules/@napi-rs/canvas-linux-x64-musl/skia.linux-x64-musl.node`;
const FONTS = "node_modules/.deno/dejavu-fonts-ttf@2.37.3/node_modules/dejavu-fonts-ttf/ttf";

/** Lays out, empty, the files of `deno install` that the pruning step looks at. */
async function fakeInstall(root: string): Promise<string[]> {
  const tree = [
    GNU,
    MUSL,
    `${NAPI}-linux-x64-gnu@1.1.1/.initialized`,
    `${FONTS}/DejaVuSans.ttf`,
    `${FONTS}/DejaVuSans-Bold.ttf`,
    `${FONTS}/DejaVuSerif.ttf`,
    "deno-dir/npm/registry.npmjs.org/zod/4.6.7/package.json",
  ];
  for (const path of tree) {
    await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, "");
  }
  return tree;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function withFakeDeno(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/deno`, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    await use(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Dockerfile.deno builds each function with CI's Deno and runs it as deno task start does", async (t) => {
  const all = parseDockerfile(await Deno.readTextFile(`${ROOT}Dockerfile.deno`));
  const [global = [], deps = [], runtime = [], ...extra] = stages(all);
  const find = (stage: Instruction[], keyword: string) =>
    stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  await t.step("pins the Deno version that .ci/run installs", async () => {
    const ci = await Deno.readTextFile(`${ROOT}.ci/run`);
    const ciVersion = ci.match(/^DENO_VERSION=(\S+)$/m)?.[1];
    assert.match(ciVersion ?? "", /^\d+\.\d+\.\d+$/, ".ci/run has no DENO_VERSION=<x.y.z> line");
    assert.deepEqual(find(global, "ARG"), [`DENO_VERSION=${ciVersion}`]);
  });

  await t.step("has a deps stage and a runtime stage, both on the official debian image", () => {
    assert.equal(extra.length, 0);
    assert.deepEqual(all.filter((i) => i.keyword === "FROM").map((i) => i.args), [
      "denoland/deno:debian-${DENO_VERSION} AS deps",
      "denoland/deno:debian-${DENO_VERSION}",
    ]);
  });

  await t.step("copies the lock files, then this function's code, then installs", () => {
    const steps = deps.filter((i) => ["COPY", "RUN"].includes(i.keyword)).map((i) => i.args);
    const order = [
      "deno.json deno.lock ./",
      "shared/ shared/",
      "functions/_*.ts functions/",
      "functions/${FUNCTION}/ functions/${FUNCTION}/",
    ];
    const copies = steps.filter((s) => order.includes(s));
    assert.deepEqual(copies, order);
    const install = steps.findIndex((s) => s.includes("deno install"));
    assert.equal(install, steps.indexOf(order[3] ?? "") + 2, "check, then install");
    assert.deepEqual(find(deps, "COPY"), order);
  });

  await withFakeDeno(async (dir) => {
    await t.step("caches the function's graph and runs no install script", async () => {
      const script = find(deps, "RUN").find((s) => s.includes("deno install")) ?? "";
      for (const fn of FUNCTION_NAMES) {
        assert.deepEqual(await argvOf(script, fn, dir), [
          "install",
          "--frozen",
          "--entrypoint",
          "shared/start_command.ts",
          "shared/main.ts",
          `functions/${fn}/mod.ts`,
        ]);
      }
      assert.ok(!find(deps, "RUN").join(" ").includes("--allow-scripts"));
    });

    await t.step(
      "only plot keeps the renderer's binary and fonts, no image the npm cache",
      async () => {
        const script = find(deps, "RUN").find((s) => s.includes("skia.*.node")) ?? "";
        for (const fn of FUNCTION_NAMES) {
          const root = await Deno.makeTempDir({ prefix: `dockerfile_${fn}_` });
          try {
            const tree = await fakeInstall(root);
            const run = await new Deno.Command("sh", {
              args: ["-c", script.replaceAll("/deno-dir/", `${root}/deno-dir/`)],
              cwd: root,
              env: { FUNCTION: fn },
              stderr: "piped",
            }).output();
            assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
            const kept = tree.filter((path) => exists(`${root}/${path}`));
            const plot = [
              GNU,
              `${NAPI}-linux-x64-gnu@1.1.1/.initialized`,
              `${FONTS}/DejaVuSans.ttf`,
              `${FONTS}/DejaVuSans-Bold.ttf`,
            ];
            const others = [`${NAPI}-linux-x64-gnu@1.1.1/.initialized`];
            assert.deepEqual(kept, fn === "plot" ? plot : others, fn);
          } finally {
            await Deno.remove(root, { recursive: true });
          }
        }
      },
    );

    await t.step("refuses to build for a FUNCTION that is not a function", async () => {
      const script = find(deps, "RUN").find((s) => s.startsWith("test -f")) ?? "";
      for (const fn of FUNCTION_NAMES) assert.deepEqual(await argvOf(script, fn, dir), []);
      const output = await new Deno.Command("sh", {
        args: ["-c", script],
        cwd: ROOT,
        env: { FUNCTION: "modle" },
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.equal(output.code, 1);
      assert.equal(
        new TextDecoder().decode(output.stderr),
        "Cannot build: there is no functions/modle/mod.ts\n",
      );
    });

    await t.step(
      "CMD runs what deno task start runs, with FUNCTION from the build arg",
      async () => {
        assert.deepEqual(find(runtime, "ARG"), ["FUNCTION"]);
        assert.deepEqual(find(runtime, "ENV"), ["FUNCTION=${FUNCTION}", "HTTP_HOST=0.0.0.0"]);
        const cmd = find(runtime, "CMD");
        assert.equal(cmd.length, 1);
        const [shell, flag, script = "", ...rest] = JSON.parse(cmd[0] ?? "[]") as string[];
        assert.deepEqual([shell, flag, rest], ["sh", "-c", []]);
        const task = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks.start.command;
        const taskScript = task.match(/^sh -c '(.*)'$/)?.[1] ?? "";
        assert.equal(script, taskScript.replaceAll('"$0"', '"$FUNCTION"'));
        assert.match(script, /eval "exec \$cmd"$/, "Deno must replace the shell to get SIGTERM");
      },
    );
  });

  await t.step("runs as the deno user, keeps the image's tini entrypoint", () => {
    const users = find(runtime, "USER");
    assert.deepEqual(users, ["deno"]);
    const last = (keyword: string) => runtime.findLastIndex((i) => i.keyword === keyword);
    assert.ok(last("USER") > last("RUN"), "No RUN may follow USER deno: it would need root");
    assert.deepEqual(find(runtime, "ENTRYPOINT"), []);
    assert.deepEqual(find(runtime, "WORKDIR"), ["/app"]);
    assert.deepEqual(find(deps, "WORKDIR"), ["/app"]);
  });

  await t.step("bakes in data/, gives deno only logs/, installs nothing with apt", () => {
    assert.deepEqual(find(runtime, "COPY"), [
      "--from=deps /deno-dir/ /deno-dir/",
      "--from=deps /app/ ./",
      "data/ data/",
    ]);
    const runs = find(runtime, "RUN");
    assert.deepEqual(runs, ["mkdir -p logs && chown deno:deno logs"]);
    assert.ok(!all.some((i) => i.args.includes("apt-get")), "A stage runs apt-get");
  });
});
