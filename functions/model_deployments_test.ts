/**
 * Champion and challenger: the model function deployed twice on a private
 * RabbitMQ node, each deployment its own process, its own `MODEL` and its own
 * `CONSUMER_GROUP`. Each receives every observation and publishes one
 * prediction for each, carrying its model's name and version; the champion's
 * model file is then replaced under it (a good fit, then a broken file).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAmqpTransport } from "../shared/amqp/amqp_transport.ts";
import { delay } from "../shared/runtime/backoff.ts";
import { encodeMessage } from "../shared/runtime/codec.ts";
import { type FunctionProcess, spawnFunction } from "../shared/testing/function_process.ts";
import { listQueues, startRabbitNode } from "../shared/testing/rabbit_node.ts";
import { waitFor } from "../shared/testing/wait_for.ts";
import { type Features, FEATURES_X, PREDICTIONS_Y_PRED } from "./_streams.ts";
import { loadDiabetes } from "./_load_diabetes.ts";
import { FOREST_MODEL_FILE, loadModel, MODEL_FILE } from "./model/load_model.ts";
import type { Model } from "./model/model.ts";

const dataDir = join(fileURLToPath(new URL("../", import.meta.url)), "data");
const N = 60;

interface Prediction {
  readonly id: string;
  readonly yPred: number;
  readonly name: string;
  readonly version: string;
}

/** Renames a whole file over the model file, as `deno task train` does. */
async function replace(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(`${path}.tmp`, text);
  await Deno.rename(`${path}.tmp`, path);
}

Deno.test("model deployed twice with different CONSUMER_GROUPs: each scores every observation", async (t) => {
  const node = await startRabbitNode();
  const dir = await Deno.makeTempDir({ prefix: "model-deployments-" });
  const processes: FunctionProcess[] = [];
  const rows = await loadDiabetes(dataDir);
  const observations = new Map<string, Features>();
  const predictions: Prediction[] = [];
  const observer = await createAmqpTransport(node.url, {
    streams: [FEATURES_X.name, PREDICTIONS_Y_PRED.name],
    initialDelayMs: 50,
  });
  try {
    await subscribe();
    for (const file of [MODEL_FILE, FOREST_MODEL_FILE]) {
      await Deno.copyFile(join(dataDir, file), join(dir, file));
    }
    const env = {
      AMQP_URL: node.url,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      DATA_DIR: dir,
      MODEL_RELOAD_MS: "100",
    };
    const champion = await spawnFunction("model", { ...env, MODEL: "linear" });
    const challenger = await spawnFunction("model", {
      ...env,
      MODEL: "forest",
      CONSUMER_GROUP: "model-forest",
    });
    processes.push(champion, challenger);
    await Promise.all(
      processes.map((p) => p.waitForLog("start", (r) => r.event === "function started")),
    );
    const linear = await loadModel(dir, "linear");
    const forest = await loadModel(dir, "forest");

    await t.step(
      "each deployment gets all N observations and publishes N predictions",
      async () => {
        await publish("first", N);
        await settle(2 * N);
        assertScored(predictions, [linear, forest], "first");
        const queues = (await listQueues(node.nodeName)).map((q) => [q.name, q.messages]);
        assert.deepEqual(
          queues.filter(([name]) => String(name).startsWith("features/X")).toSorted(),
          [
            ["features/X.model", 0],
            ["features/X.model-forest", 0],
            ["features/X.model-forest.dead", 0],
            ["features/X.model.dead", 0],
          ],
        );
      },
    );

    const modelPath = join(dir, MODEL_FILE);
    let refit: Model = linear;
    await t.step(
      "a model file replaced mid-stream: each message scored once, by one whole model",
      async () => {
        const json = JSON.parse(await Deno.readTextFile(modelPath));
        json.intercept += 50;
        const text = JSON.stringify(json, null, 2) + "\n";
        await publish("swap", N, async (i) => {
          if (i === N / 2) await replace(modelPath, text);
        });
        refit = await loadModel(dir, "linear");
        await settle(4 * N);
        const batch = predictions.slice(2 * N);
        const old = batch.filter((p) => p.version !== refit.version);
        assertScored(old, [linear, forest], "swap", { all: false });
        assertScored(batch.filter((p) => p.version === refit.version), [refit], "swap", {
          all: false,
        });
        const linearIds = batch.filter((p) => p.name === "linear").map((p) => p.id);
        assert.equal(new Set(linearIds).size, N);
        assert.equal(linearIds.length, N);
        const reloaded = await champion.waitForLog("reload", (r) => r.event === "model reloaded");
        assert.deepEqual([reloaded.version, reloaded.previous], [refit.version, linear.version]);
      },
    );

    await t.step("after the swap, every prediction carries the new version", async () => {
      await publish("second", N);
      await settle(6 * N);
      assertScored(predictions.slice(4 * N), [refit, forest], "second");
    });

    await t.step(
      "a broken file is refused with one log line; the last good model serves",
      async () => {
        await replace(modelPath, '{"intercept": ');
        await champion.waitForLog("refusal", (r) => r.event === "model refused");
        await publish("third", N);
        await settle(8 * N);
        assertScored(predictions.slice(6 * N), [refit, forest], "third");
        assert.equal(champion.logs.filter((r) => r.event === "model refused").length, 1);
        assert.equal(challenger.logs.filter((r) => r.event?.startsWith("model re")).length, 0);
      },
    );

    processes.forEach((p) => p.kill("SIGTERM"));
    assert.deepEqual(await Promise.all(processes.map((p) => p.exited)), [0, 0]);
  } finally {
    processes.forEach((p) => p.kill("SIGKILL"));
    await Promise.all(processes.map((p) => p.exited));
    await observer.close();
    await node.close();
    await Deno.remove(dir, { recursive: true });
  }

  async function subscribe(): Promise<void> {
    await observer.subscribe(PREDICTIONS_Y_PRED.name, "observer", (delivery) => {
      const { id, data } = JSON.parse(new TextDecoder().decode(delivery.body));
      predictions.push({ id, yPred: data.y_pred, ...data.model });
      delivery.ack();
    }, { prefetch: 100 });
  }

  async function publish(
    prefix: string,
    n: number,
    before: (i: number) => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    for (let i = 0; i < n; i++) {
      await before(i);
      const id = `${prefix}-${i}`;
      const features = rows[(i * 7) % rows.length]!.features;
      observations.set(id, features);
      await observer.publish(FEATURES_X.name, encodeMessage(id, features, Date.now()));
    }
  }

  /** Waits for `total` predictions, then a little longer so a duplicate would show. */
  async function settle(total: number): Promise<void> {
    await waitFor(`${total} predictions`, () => predictions.length >= total, { timeoutMs: 30_000 });
    await delay(300);
    assert.equal(predictions.length, total);
  }

  /**
   * Each model scored each id of the batch once (with `all: false`: each id
   * at most once), under its own version and with exactly its own prediction.
   */
  function assertScored(
    batch: readonly Prediction[],
    models: readonly Model[],
    prefix: string,
    { all } = { all: true },
  ) {
    const ids = Array.from({ length: N }, (_, i) => `${prefix}-${i}`);
    for (const model of models) {
      const mine = batch.filter((p) => p.version === model.version);
      const seen = mine.map((p) => p.id).toSorted();
      if (all) assert.deepEqual(seen, ids.toSorted(), model.name);
      assert.equal(new Set(seen).size, seen.length, `${model.name}: an id twice`);
      assert.ok(seen.every((id) => ids.includes(id)), `${model.name}: an id of another batch`);
      for (const p of mine) {
        assert.equal(p.name, model.name, p.id);
        assert.equal(p.yPred, model.predict(observations.get(p.id)!), `${model.name} ${p.id}`);
      }
    }
    if (all) assert.equal(batch.length, models.length * N);
  }
});
