/**
 * Adding a function is adding a folder: in a copy of the project, a fifth
 * function that counts predictions per model is written into
 * `functions/counter/` and nothing else; `deno task dev` and `deno task start
 * counter` then run it on RabbitMQ beside the others.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startRabbitNode } from "../shared/testing/rabbit_node.ts";
import { waitFor } from "../shared/testing/wait_for.ts";
import { consecutiveFreePorts } from "../shared/testing/consecutive_free_ports.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const N = 40;

const COUNTER = `/**
 * Counts the predictions of each model.
 *
 * @module
 */
import { type Counter, defineConsumer } from "../../shared/define_function.ts";
import { PREDICTIONS_Y_PRED } from "../_streams.ts";

export default defineConsumer({
  consumes: [PREDICTIONS_Y_PRED],
  publishes: [],
  setup: () => new Map<string, Counter>(),
  handle(message, counters, ctx) {
    const model = message.data.model.name;
    let counter = counters.get(model);
    if (counter === undefined) {
      counter = ctx.counter(\`predictions_\${model}\`, "Predictions of one model");
      counters.set(model, counter);
    }
    counter.inc();
  },
});
`;

/** Copies what a clone holds: the design card's top level, nothing generated. */
async function copyProject(to: string): Promise<void> {
  for (const entry of ["deno.json", "deno.lock", "shared", "functions", "data"]) {
    await copy(join(ROOT, entry), join(to, entry));
  }
}

async function copy(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (info.isFile) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    await copy(join(from, entry.name), join(to, entry.name));
  }
}

/** Every file's path and size outside node_modules/ and logs/. */
async function snapshot(dir: string, root = dir, into = new Map<string, number>()) {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (["node_modules", "logs"].includes(relative(root, path))) continue;
    if (entry.isDirectory) await snapshot(path, root, into);
    else into.set(relative(root, path), (await Deno.stat(path)).size);
  }
  return into;
}

function task(cwd: string, args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", ...args],
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function predictionsCounted(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = text.match(/^pipeline_predictions_linear_total\{function="counter"\} (\d+)$/m);
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

Deno.test("a fifth function is one folder, run by deno task dev and deno task start", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "add-function-" });
  const node = await startRabbitNode();
  const children: Deno.ChildProcess[] = [];
  const stop = async (child: Deno.ChildProcess) => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    return (await child.status).code;
  };
  try {
    await copyProject(dir);
    const before = await snapshot(dir);
    await Deno.mkdir(join(dir, "functions", "counter"));
    await Deno.writeTextFile(join(dir, "functions", "counter", "mod.ts"), COUNTER);
    const env = {
      AMQP_URL: node.url,
      HTTP_HOST: "127.0.0.1",
      FEATURES_INTERVAL_MS: "0",
      FEATURES_LIMIT: String(N),
      PLOT_INTERVAL_MS: "500",
    };

    await t.step("deno task dev runs it beside the other four", async () => {
      // The functions in name order: counter is the first, on the base port.
      const base = consecutiveFreePorts(5);
      const dev = task(dir, ["dev"], { ...env, HTTP_PORT: String(base) });
      children.push(dev);
      await waitFor(`${N} predictions counted`, async () => await predictionsCounted(base) === N, {
        timeoutMs: 90_000,
      });
      assert.equal(await stop(dev), 0);
    });

    await t.step("deno task start counter runs it as its own service", async () => {
      const base = consecutiveFreePorts(3);
      const [counterPort, featuresPort, modelPort] = [base, base + 1, base + 2];
      const counter = task(dir, ["start", "counter"], { ...env, HTTP_PORT: String(counterPort) });
      children.push(counter);
      await waitFor("counter listening", async () => {
        try {
          return (await fetch(`http://127.0.0.1:${counterPort}/healthz`)).status === 200;
        } catch {
          return false;
        }
      }, { timeoutMs: 30_000 });
      const model = task(dir, ["start", "model"], { ...env, HTTP_PORT: String(modelPort) });
      const features = task(dir, ["start", "features"], {
        ...env,
        HTTP_PORT: String(featuresPort),
      });
      children.push(model, features);
      await waitFor(
        `${N} more predictions`,
        async () => await predictionsCounted(counterPort) === N,
        {
          timeoutMs: 60_000,
        },
      );
      assert.deepEqual(await Promise.all([counter, model, features].map(stop)), [0, 0, 0]);
    });

    await t.step("no file outside functions/counter/ changed", async () => {
      const after = await snapshot(dir);
      after.delete(join("functions", "counter", "mod.ts"));
      assert.deepEqual(after, before);
    });
  } finally {
    await Promise.all(children.map(stop));
    await node.close();
    await Deno.remove(dir, { recursive: true });
  }
});
