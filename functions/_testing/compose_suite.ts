/**
 * The compose suite (`deno task test:compose`): docker-compose.yml run for
 * real, as on a fresh clone (no `.env`, no `./logs`). It builds the images,
 * starts the stack with three model replicas, waits until every service is
 * healthy, sees rows and the PNG on the host, crashes one model replica and
 * metrics with SIGKILL to each container's main process (a crash, not
 * `docker stop`), and checks that the restart policy brings them back healthy
 * and that every observation the source confirmed becomes exactly one exact row.
 *
 * Not matched by `deno test`'s default pattern: it needs a Docker daemon (it
 * starts one when none runs, and stops only that one) and the base images
 * (`.ci/run` builds local stand-ins where no registry is reachable).
 */
// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { loadDiabetes } from "../_load_diabetes.ts";
import { loadModel } from "../model/load_model.ts";
import {
  checkMetricLog,
  confirmedObservations,
  type MetricLogCheck,
  startedObservations,
} from "./check_metric_log.ts";
import { type ComposeStack, ComposeStack as Stack, type ContainerState } from "./compose_stack.ts";
import { withDockerDaemon } from "../../shared/testing/docker_daemon.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";

const SERVICES = ["features", "metrics", "model", "model-challenger", "plot", "rabbitmq"];
const DEFAULT_PASSWORD_EVENT =
  "AMQP_URL uses the local stack's default broker password: set RABBITMQ_PASSWORD in .env anywhere but on your own machine";

/** Rows in the metric log on the host (0 while it does not exist). */
async function rowCount(stack: ComposeStack): Promise<number> {
  try {
    const text = await Deno.readTextFile(join(stack.logsDir, "metric_log.csv"));
    return text.split("\n").filter((line) => line !== "").length - 1;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

/** True when every long-running container is healthy and the one-shot `logs` exited 0. */
function allHealthy(containers: readonly ContainerState[]): boolean {
  return containers.length === SERVICES.length + 2 + 1 &&
    containers.every((c) =>
      c.service === "logs"
        ? c.status === "exited" && c.exitCode === 0
        : c.status === "running" && c.health === "healthy"
    );
}

async function requireImages(): Promise<void> {
  const dockerfile = await Deno.readTextFile(new URL("../../Dockerfile.deno", import.meta.url));
  const compose = await Deno.readTextFile(new URL("../../docker-compose.yml", import.meta.url));
  const deno = `denoland/deno:debian-${dockerfile.match(/^ARG DENO_VERSION=(\S+)$/m)?.[1]}`;
  const rabbit = compose.match(/^\s+image: (rabbitmq:\S+)$/m)?.[1] ?? "rabbitmq";
  for (const image of [deno, rabbit]) {
    const { success } = await new Deno.Command("docker", {
      args: ["image", "inspect", image],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.ok(
      success,
      `Cannot run the compose suite: base image "${image}" is missing: pull it, or build local stand-ins (.ci/run does)`,
    );
  }
}

async function upAndHealthy(stack: ComposeStack): Promise<void> {
  await stack.compose("up", "-d", "--no-build", "--scale", "model=3");
  await waitFor("every service healthy", async () => allHealthy(await stack.containers()), {
    timeoutMs: 180_000,
    intervalMs: 1000,
  });
  const services = (await stack.containers()).map((c) => c.service).sort();
  assert.deepEqual(services, [...SERVICES, "logs", "model", "model"].sort());
}

async function outputsOnHost(stack: ComposeStack): Promise<void> {
  await waitFor("100 rows", async () => await rowCount(stack) >= 100, {
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  const png = join(stack.logsDir, "error_distribution.png");
  await waitFor("the PNG", () => Deno.stat(png).then(() => true, () => false), {
    timeoutMs: 30_000,
    intervalMs: 500,
  });
  const image = decode(await Deno.readFile(png));
  assert.deepEqual([image.width, image.height], [800, 500]);
}

/** SIGKILL to the main process of one model replica and of metrics; returns the kills. */
async function crashAndRecover(stack: ComposeStack): Promise<number> {
  const before = await stack.containers();
  const victims = [
    before.find((c) => c.service === "model"),
    before.find((c) => c.service === "metrics"),
  ].filter((c) => c !== undefined);
  assert.equal(victims.length, 2);
  for (const victim of victims) {
    assert.ok(victim.pid > 0);
    Deno.kill(victim.pid, "SIGKILL");
  }
  await waitFor("the killed containers restarted and healthy", async () => {
    const now = await stack.containers();
    return allHealthy(now) && victims.every((victim) => {
      const after = now.find((c) => c.id === victim.id);
      return after !== undefined && after.restartCount === victim.restartCount + 1;
    });
  }, { timeoutMs: 120_000, intervalMs: 1000 });
  return victims.length;
}

/** The compared models' files: the champion's and the challenger's (compose's CHALLENGERS). */
const MODEL_FILES = [["linear", "metric_log.csv"], ["forest", "metric_log.forest.csv"]] as const;

type RowsCheck = MetricLogCheck & { confirmed: number };

/** Stops the source, waits for its confirmed observations, checks every row of each model's file. */
async function checkRows(stack: ComposeStack): Promise<Record<"linear" | "forest", RowsCheck>> {
  await stack.compose("stop", "features");
  const logs = await stack.logs("features");
  const confirmed = confirmedObservations(logs);
  const data = await loadDiabetes("./data");
  const checks: Partial<Record<"linear" | "forest", RowsCheck>> = {};
  for (const [kind, file] of MODEL_FILES) {
    const model = await loadModel("./data", kind);
    const expected = {
      confirmed,
      started: startedObservations(logs),
      target: (row: number) => data[row]!.target,
      predict: (row: number) => model.predict(data[row]!.features),
    };
    const csv = join(stack.logsDir, file);
    let check = checkMetricLog(await Deno.readTextFile(csv), expected);
    await waitFor(`every confirmed row written to ${file}`, async () => {
      check = checkMetricLog(await Deno.readTextFile(csv), expected);
      return check.lost === 0;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    assert.deepEqual(
      { lost: check.lost, duplicated: check.duplicated, wrong: check.wrong },
      { lost: 0, duplicated: 0, wrong: 0 },
      `${file}: ${check.problems.join("\n")}`,
    );
    checks[kind] = { ...check, confirmed: confirmed.size };
  }
  assert.ok(confirmed.size >= 300, `only ${confirmed.size} observations confirmed`);
  const warnings = logs.filter((log) => log.event === DEFAULT_PASSWORD_EVENT);
  assert.deepEqual(warnings.map((log) => log.level), ["warn"]);
  return checks as Record<"linear" | "forest", RowsCheck>;
}

Deno.test("docker compose runs the pipeline and restarts crashed functions", async (t) => {
  await withDockerDaemon(async () => {
    await requireImages();
    const started = performance.now();
    const stack = await Stack.create({
      env: { FEATURES_INTERVAL_MS: "20", PLOT_INTERVAL_MS: "1000", LOG_LEVEL: "debug" },
    });
    try {
      await t.step("builds the four images", async () => {
        await stack.compose("build", "--quiet");
      });
      await t.step("up -d --scale model=3: every service healthy", () => upAndHealthy(stack));
      await t.step(
        "rows and the PNG appear in the logs folder on the host",
        () => outputsOnHost(stack),
      );
      let kills = 0;
      await t.step("SIGKILL to a model replica and to metrics: both back, healthy", async () => {
        kills = await crashAndRecover(stack);
      });
      await t.step("rows continue after the restarts", async () => {
        const rows = await rowCount(stack);
        await waitFor("100 more rows", async () => await rowCount(stack) >= rows + 100, {
          timeoutMs: 60_000,
          intervalMs: 500,
        });
      });
      await t.step("every confirmed observation is exactly one exact row per model", async () => {
        const { linear: check, forest } = await checkRows(stack);
        const restarts = (await stack.containers()).reduce((sum, c) => sum + c.restartCount, 0);
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        console.log(
          `compose: services=${SERVICES.length} model_replicas=3 kills=${kills} restarts=${restarts} rows=${check.rows} confirmed=${check.confirmed} lost=${check.lost} duplicated=${check.duplicated} wrong=${check.wrong} challenger_rows=${forest.rows} challenger_lost=${forest.lost} challenger_duplicated=${forest.duplicated} challenger_wrong=${forest.wrong} seconds=${seconds}`,
        );
      });
    } finally {
      await stack.close();
    }
  });
});
