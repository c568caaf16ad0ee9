/**
 * Bad input against the real functions, each its own process on a private
 * RabbitMQ node: every bad message lands in its dead-letter queue with its
 * exact reason, the valid ones around it still become exactly one row each,
 * no secret leaks and no id becomes a path.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { STREAMS } from "./_streams.ts";

const STREAM_NAMES = STREAMS.map((stream) =>
  stream.name
) as ("features/X" | "features/Y_true" | "predictions/Y_pred")[];
import { readProcessMemory } from "../shared/testing/process_memory.ts";
import { listQueues } from "../shared/testing/rabbit_node.ts";
import { waitFor } from "../shared/testing/wait_for.ts";
import {
  deadLetterQueueName,
  queueName,
  singleActiveQueueName,
} from "../shared/runtime/transport.ts";
import type { DeadLetter } from "./_testing/bad_input_broker.ts";
import { badFeatureCases, features, HUGE_FEATURES } from "./_testing/bad_input_cases.ts";
import { rawStatus, sample, scrape, type Stack, withStack } from "./_testing/bad_input_stack.ts";
import { loadModel } from "./model/load_model.ts";

const HEADER = "id,y_true,y_pred,error";
const PATTERN = 'field "id" must be 1 to 128 letters, digits or . _ : -';

/** A row as metrics writes it. */
function row(id: string, yTrue: number, yPred: number): string {
  return [id, yTrue, yPred, Math.abs(yTrue - yPred)].map(String).join(",");
}

function prediction(yPred: number) {
  return { y_pred: yPred, model: { name: "linear", version: "1" } };
}

/** The CSV's lines, once it holds `rows` data rows. */
async function csvOnce(stack: Stack, rows: number): Promise<string[]> {
  const path = join(stack.logsDir, "metric_log.csv");
  const read = () => Deno.readTextFile(path).then((t) => t.split("\n").slice(0, -1), () => []);
  await waitFor(`${rows} rows`, async () => (await read()).length - 1 >= rows, {
    timeoutMs: 15_000,
  });
  return await read();
}

function sortedDead(dead: Pick<DeadLetter, "reason" | "body">[]): string[] {
  return dead.map(({ reason, body }) => `${reason} <- ${body}`).toSorted();
}

/** Dead letters as `[id, reason]`, for bodies that are valid JSON envelopes. */
/** metrics' replicas are single-active: one dead-letter queue for both its streams. */
const METRICS_DEAD = deadLetterQueueName(singleActiveQueueName("metrics"));

function deadIds(dead: DeadLetter[]): [string, string][] {
  return dead.map((d): [string, string] => [JSON.parse(d.body).id, d.reason]).toSorted();
}

async function healthStatus(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  await response.body?.cancel();
  return response.status;
}

function deadLettered(stream: string, kind: string, fn: string): string {
  return `pipeline_messages_dead_lettered_total{stream="${stream}",kind="${kind}",function="${fn}"}`;
}

Deno.test("model and metrics dead-letter every bad message with its exact reason and lose no valid one", async (t) => {
  const model = await loadModel("./data", "linear");
  await withStack(["model", "metrics"], async (stack) => {
    const { broker } = stack;
    const rows: string[] = [];
    let valid = 0;
    let invalidX = 0;
    // One valid observation: its features to the model, its truth to metrics.
    const publishValid = async () => {
      const id = `x-ok-${valid}`;
      const data = features(valid);
      const yTrue = 100 + valid++;
      await broker.publishEnvelope("features/X", id, data);
      await broker.publishEnvelope("features/Y_true", id, { y_true: yTrue });
      rows.push(row(id, yTrue, model.predict(data)));
    };
    const pair = async (id: string, yTrue: number, yPred: number) => {
      await broker.publishEnvelope("features/Y_true", id, { y_true: yTrue });
      await broker.publishEnvelope("predictions/Y_pred", id, prediction(yPred));
      rows.push(row(id, yTrue, yPred));
    };

    await t.step(
      "each bad features/X lands in features/X.model.dead with its exact reason",
      async () => {
        const cases = badFeatureCases(model.predict(HUGE_FEATURES));
        await publishValid();
        for (const bad of cases) {
          await broker.publish("features/X", bad.body, bad.properties);
          await publishValid();
        }
        invalidX = cases.filter((bad) => bad.kind === "invalid").length;
        // The valid observations around the bad ones all became rows.
        assert.deepEqual((await csvOnce(stack, rows.length)).slice(1).toSorted(), rows.toSorted());
        const dead = await broker.takeDead("features/X.model.dead", cases.length);
        const decoder = new TextDecoder();
        assert.deepEqual(
          sortedDead(dead),
          sortedDead(cases.map((bad) => ({
            reason: bad.reason,
            body: typeof bad.body === "string" ? bad.body : decoder.decode(bad.body),
          }))),
        );
      },
    );

    // Every dead letter expected so far on metrics' queues, as [id, reason].
    const dead: Record<"features/Y_true" | "predictions/Y_pred", [string, string][]> = {
      "features/Y_true": [],
      "predictions/Y_pred": [],
    };
    const checked = { "features/Y_true": 0, "predictions/Y_pred": 0 };
    // Checks the dead letters added since the last check, so one wrong reason fails one step.
    // Both streams share metrics' dead-letter queue: its letters so far, then this stream's new ones.
    const checkDead = async (stream: keyof typeof dead) => {
      const total = dead["features/Y_true"].length + dead["predictions/Y_pred"].length;
      const taken = deadIds(await broker.takeDead(METRICS_DEAD, total));
      const fresh = dead[stream].slice(checked[stream]);
      checked[stream] = dead[stream].length;
      const pairs = new Set(fresh.map((pair) => JSON.stringify(pair)));
      assert.deepEqual(taken.filter((pair) => pairs.has(JSON.stringify(pair))), fresh.toSorted());
    };

    await t.step("out-of-bounds values are dead-lettered as invalid", async () => {
      const invalidY = (stream: string, detail: string) =>
        `Cannot parse message "${stream}": field "data.${detail}`;
      await pair("m-ok-0", 10, 12);
      await broker.publishEnvelope("features/Y_true", "m-big", { y_true: 1e9 });
      await pair("m-ok-1", 20, 25);
      await broker.publishEnvelope("predictions/Y_pred", "m-small", prediction(-1e9));
      await pair("m-ok-2", 30, 27.5);
      await broker.publishEnvelope("predictions/Y_pred", "m-noname", {
        y_pred: 1,
        model: { name: "", version: "1" },
      });
      await pair("m-ok-3", 35, 36);
      dead["features/Y_true"].push(
        ["m-big", invalidY("features/Y_true", 'y_true" must lie in -10000..10000')],
      );
      dead["predictions/Y_pred"].push(
        ["m-small", invalidY("predictions/Y_pred", 'y_pred" must lie in -10000..10000')],
        ["m-noname", invalidY("predictions/Y_pred", 'model.name" must have at least 1 character')],
      );
      await checkDead("features/Y_true");
      await checkDead("predictions/Y_pred");
    });

    await t.step("a second value for a waiting half is dead-lettered: first wins", async () => {
      const metrics = stack.process("metrics");
      const conflict = (id: string) =>
        metrics.waitForLog(`conflict on ${id}`, (r) => r.event === "pair conflict" && r.id === id);
      // The partner is sent only once the conflict is seen, well within the 300 ms TTL.
      await broker.publishEnvelope("features/Y_true", "c-true", { y_true: 100 });
      await broker.publishEnvelope("features/Y_true", "c-true", { y_true: 200 });
      await conflict("c-true");
      await broker.publishEnvelope("predictions/Y_pred", "c-true", prediction(150));
      rows.push(row("c-true", 100, 150));
      await broker.publishEnvelope("predictions/Y_pred", "c-pred", prediction(150));
      await broker.publishEnvelope("predictions/Y_pred", "c-pred", prediction(160));
      await conflict("c-pred");
      await broker.publishEnvelope("features/Y_true", "c-pred", { y_true: 100 });
      rows.push(row("c-pred", 100, 150));
      await pair("m-ok-4", 40, 41);
      dead["features/Y_true"].push(
        ["c-true", 'Conflicting y_true for id "c-true": kept "100", refused "200"'],
      );
      dead["predictions/Y_pred"].push(
        ["c-pred", 'Conflicting y_pred for id "c-pred": kept "150", refused "160"'],
      );
      await checkDead("features/Y_true");
      await checkDead("predictions/Y_pred");
    });

    await t.step(
      "a Y_pred whose Y_true never comes is acked, then orphaned with its reason, never retried",
      async () => {
        await broker.publishEnvelope("predictions/Y_pred", "o-1", prediction(42));
        await pair("m-ok-5", 50, 55);
        const metrics = stack.process("metrics");
        const orphaned = await metrics.waitForLog(
          "an orphan",
          (r) => r.event === "halves orphaned",
        );
        assert.deepEqual([orphaned.count, orphaned.ids, orphaned.reason], [
          1,
          ["o-1"],
          "no partner within 300 ms",
        ]);
        const orphans = await Deno.readTextFile(join(stack.logsDir, "metric_orphans.csv"));
        const lines = orphans.split("\n").slice(0, -1);
        assert.equal(lines[0], "id,side,value,since,reason");
        assert.deepEqual(lines.slice(1).map((l) => l.split(",").slice(0, 3)), [
          ["o-1", "y_pred", "42"],
        ]);
        assert.equal(lines[1]?.split(",")[4], "no partner within 300 ms");
        assert.deepEqual(
          metrics.logs.filter((r) => r.event === "message retried" && r.messageId === "o-1"),
          [],
        );
        const text = await scrape(stack.port("metrics"));
        assert.equal(
          sample(text, 'pipeline_metrics_orphans_total{model="linear",function="metrics"}'),
          1,
        );
        assert.equal(
          sample(text, 'pipeline_metrics_conflicts_total{model="linear",function="metrics"}'),
          2,
        );
      },
    );

    await t.step(
      "afterwards both are healthy, counted each dead letter, wrote each row once",
      async () => {
        assert.deepEqual(
          await Promise.all(
            (["model", "metrics"] as const).map((name) => healthStatus(stack.port(name))),
          ),
          [200, 200],
        );
        const modelText = await scrape(stack.port("model"));
        assert.equal(sample(modelText, deadLettered("features/X", "invalid", "model")), invalidX);
        assert.equal(sample(modelText, deadLettered("features/X", "permanent", "model")), 1);
        const metricsText = await scrape(stack.port("metrics"));
        assert.deepEqual(
          [
            deadLettered("features/Y_true", "invalid", "metrics"),
            deadLettered("features/Y_true", "permanent", "metrics"),
            deadLettered("predictions/Y_pred", "invalid", "metrics"),
            deadLettered("predictions/Y_pred", "permanent", "metrics"),
            deadLettered("predictions/Y_pred", "exhausted", "metrics"),
          ].map((series) => sample(metricsText, series)),
          [1, 1, 2, 1, undefined],
        );
        const both = [...dead["features/Y_true"], ...dead["predictions/Y_pred"]];
        const taken = await broker.takeDead(METRICS_DEAD, both.length);
        assert.deepEqual(
          deadIds(taken).map(([id]) => id).toSorted(),
          both.map(([id]) => id).toSorted(),
        );
        const csv = await csvOnce(stack, rows.length);
        assert.deepEqual([csv[0], ...csv.slice(1).toSorted()], [HEADER, ...rows.toSorted()]);
        const queues = await listQueues(stack.node.nodeName);
        assert.deepEqual(queues.filter((q) => q.messages !== 0), [], "every queue is empty");
      },
    );
  });
});

Deno.test("model never shows the broker password and serves only GET /healthz and /metrics", async () => {
  const user = "bad-input-user";
  const password = `pw-${crypto.randomUUID()}`;
  await withStack(["model"], async (stack) => {
    const model = stack.process("model");
    const port = stack.port("model");
    await stack.broker.publish("features/X", "not json {");
    await model.waitForLog("a dead letter", (r) => r.event === "message dead-lettered");
    // The raw connection would see the broker stop as an error: close it first.
    await stack.broker.close();
    await stack.node.stopApp();
    await model.waitForLog("a failed connect", (r) => r.event === "broker connect failed");
    await stack.node.startApp();
    await model.waitForLog("recovery", (r) => r.event === "broker connection recovered", {
      timeoutMs: 20_000,
    });
    const requests: [string, string, number][] = [
      ["GET", "/healthz", 200],
      ["GET", "/metrics", 200],
      ["POST", "/healthz", 405],
      ["PUT", "/metrics", 405],
      ["DELETE", "/healthz", 405],
      ["PATCH", "/metrics", 405],
      ["GET", "/", 404],
      ["GET", "/admin", 404],
      ["GET", "/healthz/", 404],
      ["GET", "/metrics/../../etc/passwd", 404],
      ["GET", "/%2e%2e/%2e%2e/etc/passwd", 404],
      ["GET", "/metrics%2f..%2f..%2fetc%2fpasswd", 404],
    ];
    const statuses = [];
    for (const [method, path] of requests) {
      statuses.push([method, path, await rawStatus(port, method, path)]);
    }
    assert.deepEqual(statuses, requests);
    const metrics = await scrape(port);
    model.kill("SIGTERM");
    assert.equal(await model.exited, 0);

    const connected = model.logs.filter((r) => r.event === "broker connected").map((r) => r.url);
    const masked = `amqp://${user}:***@127.0.0.1:${stack.node.port}`;
    assert.deepEqual(connected, [masked, masked], "the logs show the URL, masked");
    const output = [...model.logs.map((r) => JSON.stringify(r)), ...model.otherOutput];
    assert.deepEqual(output.filter((line) => line.includes(password)), [], "stdout and stderr");
    assert.equal(metrics.includes(password), false, "/metrics");
  }, {
    amqpUrl: async (node) => {
      await node.ctl("add_user", user, password);
      await node.ctl("set_permissions", "-p", "/", user, ".*", ".*", ".*");
      return `amqp://${user}:${password}@127.0.0.1:${node.port}`;
    },
  });
});

Deno.test("ids are never paths: ../../etc/passwd, a/b and a line break are dead-lettered as invalid", async () => {
  const ids = ["../../etc/passwd", "a/b", "a\nb"];
  const data = {
    "features/X": features(0),
    "features/Y_true": { y_true: 1 },
    "predictions/Y_pred": prediction(1),
  };
  const group = {
    "features/X": "model",
    "features/Y_true": "metrics",
    "predictions/Y_pred": "metrics",
  };
  const logsBefore = await Array.fromAsync(Deno.readDir("./logs")).catch(() => []);
  const model = await loadModel("./data", "linear");
  await withStack(["model", "metrics"], async (stack) => {
    for (const stream of STREAM_NAMES) {
      for (const id of ids) await stack.broker.publishEnvelope(stream, id, data[stream]);
    }
    await stack.broker.publishEnvelope("features/X", "p-ok", features(1));
    await stack.broker.publishEnvelope("features/Y_true", "p-ok", { y_true: 7 });
    for (const stream of STREAM_NAMES) {
      const metrics = group[stream] === "metrics";
      const queue = metrics ? METRICS_DEAD : deadLetterQueueName(queueName(stream, group[stream]));
      const reason = `Cannot parse message "${stream}": ${PATTERN}`;
      const taken = await stack.broker.takeDead(queue, (metrics ? 2 : 1) * ids.length);
      assert.deepEqual(
        deadIds(taken).filter(([, why]) => why === reason),
        ids.map((id) => [id, reason]).toSorted(),
        queue,
      );
    }
    assert.deepEqual(await csvOnce(stack, 1), [HEADER, row("p-ok", 7, model.predict(features(1)))]);
    const inLogsDir = await Array.fromAsync(Deno.readDir(stack.logsDir), (e) => e.name);
    assert.deepEqual(inLogsDir.toSorted(), [
      "metric_halves.jsonl",
      "metric_log.champion",
      "metric_log.csv",
      "metric_log.lock",
      "metric_orphans.csv",
    ]);
    const before = new Set(logsBefore.map((e) => e.name));
    const newInLogs = await Array.fromAsync(Deno.readDir("./logs"), (e) => e.name);
    assert.deepEqual(newInLogs.filter((name) => !before.has(name)), [basename(stack.logsDir)]);
    for (const path of ["./etc", "./a", join(stack.logsDir, "a"), "./logs/a", "./logs/etc"]) {
      assert.equal(await Deno.stat(path).then(() => true, () => false), false, path);
    }
  });
});

Deno.test("metrics refuses bodies of several MB unread: the broker dead-letters them, nothing is copied", async () => {
  const count = 16;
  const bytes = 4 * 1024 * 1024;
  await withStack(["metrics"], async (stack) => {
    const { broker } = stack;
    const port = stack.port("metrics");
    const pid = stack.process("metrics").pid;
    const before = await readProcessMemory(pid);
    const body = new Uint8Array(bytes).fill(0x20);
    for (let i = 0; i < count; i++) {
      await broker.publish("features/Y_true", body, { messageId: `x-mb-${i}` });
    }
    await broker.publishEnvelope("features/Y_true", "mb-ok", { y_true: 7 });
    await broker.publishEnvelope("predictions/Y_pred", "mb-ok", prediction(9));
    const dead = await broker.takeDead(METRICS_DEAD, count);
    assert.deepEqual(await csvOnce(stack, 1), [HEADER, row("mb-ok", 7, 9)]);
    const after = await readProcessMemory(pid);
    const mb = (n: number) => (n / 1e6).toFixed(0);
    // deno-lint-ignore no-console
    console.log(
      `oversized: ${count} bodies of ${bytes} bytes to metrics (MAX_MESSAGE_BYTES 4096, ` +
        `PREFETCH 200): RSS ${mb(before.rssBytes)} MB before, ${mb(after.rssBytes)} MB after, ` +
        `${mb(after.peakBytes)} MB peak (VmHWM); ` +
        `${dead.length} dead-lettered by the broker`,
    );
    assert.deepEqual(
      dead.map((d) => [d.reason, d.brokerReason, d.body.length]),
      Array.from({ length: count }, () => [
        `Cannot parse message "features/Y_true": body of ${bytes} bytes exceeds MAX_MESSAGE_BYTES`,
        "rejected",
        bytes,
      ]),
    );
    const text = await scrape(port);
    assert.equal(sample(text, deadLettered("features/Y_true", "invalid", "metrics")), count);
    const logged = stack.process("metrics").logs.filter((r) => r.event === "message dead-lettered");
    assert.deepEqual(
      logged.map((r) => r.messageId).toSorted(),
      Array.from({ length: count }, (_, i) => `x-mb-${i}`).toSorted(),
    );
  });
});
