/**
 * The five ways the join used to stall (issue "a join that cannot stall"),
 * each run on the pipeline as processes and checked exactly: every confirmed
 * observation has exactly one correct row, no good message is dead-lettered.
 * Each returns its figures line; sizes come from the caller (small in the
 * regular suite, large in the fault suite).
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RabbitNode } from "../../shared/testing/rabbit_node.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";
import { delay } from "../../shared/runtime/backoff.ts";
import { RawBroker } from "./bad_input_broker.ts";
import { figuresLine, HEADER, JoinStack } from "./join_stack.ts";

function assertExact(
  stack: JoinStack,
  check: Awaited<ReturnType<JoinStack["allRows"]>>,
  n: number,
) {
  assert.equal(stack.confirmed(), n, "the source confirmed every observation");
  assert.deepEqual(
    { rows: check.rows, lost: check.lost, duplicated: check.duplicated, wrong: check.wrong },
    { rows: n, lost: 0, duplicated: 0, wrong: 0 },
    check.problems.join("\n"),
  );
}

/** The model is down while the source publishes `n` observations unthrottled. */
export async function modelOutage(
  node: RabbitNode,
  options: { n: number; outageMs: number; targetMs?: number },
): Promise<string> {
  const stack = await JoinStack.open(node, "model-outage");
  try {
    await stack.start("model");
    await stack.start("metrics");
    await stack.stop("model");
    const outage = Date.now();
    await stack.source(options.n);
    await stack.current("features").waitForLog(
      "the source to finish",
      (r) => r.event === "ticks done",
      { timeoutMs: 120_000 },
    );
    await delay(Math.max(0, outage + options.outageMs - Date.now()));
    const back = Date.now();
    await stack.start("model");
    const check = await stack.allRows();
    assertExact(stack, check, options.n);
    const deadLettered = await stack.deadLettered();
    assert.equal(deadLettered, 0);
    const ms = stack.lastRowTime() - back;
    const target = options.targetMs === undefined
      ? ""
      : `target_ms=${options.targetMs} ${ms <= options.targetMs ? "met" : "MISSED"}`;
    return figuresLine(
      "model outage",
      { n: options.n, check, deadLettered, recoveryToLastRowMs: ms },
      `outage_ms=${options.outageMs} ${target}`.trim(),
    );
  } finally {
    await stack.close();
  }
}

/** `LOGS_DIR` on a small tmpfs fills up; it is then enlarged. Needs `mount` (root). */
export async function diskFull(
  node: RabbitNode,
  options: { n: number; sizeKb?: number },
): Promise<string> {
  const dir = `./logs/join-disk-${Deno.pid}-${Date.now()}`;
  await Deno.mkdir(dir, { recursive: true });
  const mounted = await run(
    "mount",
    "-t",
    "tmpfs",
    "-o",
    `size=${options.sizeKb ?? 300}k`,
    "tmpfs",
    dir,
  );
  if (mounted !== "") {
    await Deno.remove(dir, { recursive: true });
    return `join(disk full): skipped: cannot mount a tmpfs here (${mounted})`;
  }
  const stack = await JoinStack.open(node, "disk-full", dir);
  try {
    await stack.start("model");
    const metrics = await stack.start("metrics");
    await stack.source(options.n);
    const paused = await metrics.waitForLog("a pause", (r) => r.event === "function paused", {
      timeoutMs: 60_000,
    });
    assert.match(String(paused.reason), /No space left on device/);
    const port = Number(metrics.logs.find((r) => r.event === "function started")?.httpPort);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(text, /^pipeline_metrics_write_paused\{model="linear",function="metrics"\} 1$/m);
    const readiness = await notReady(port);
    assert.deepEqual([readiness.status, readiness.body.status], [503, "unavailable"]);
    assert.match(String(readiness.body.reason), /No space left on device/);
    const back = Date.now();
    assert.equal(await run("mount", "-o", "remount,size=64m", dir), "");
    await metrics.waitForLog("a resume", (r) => r.event === "function resumed", {
      timeoutMs: 30_000,
    });
    const check = await stack.allRows();
    assertExact(stack, check, options.n);
    const deadLettered = await stack.deadLettered();
    assert.equal(deadLettered, 0);
    assert.equal(stack.logs("metrics").filter((r) => r.event === "message retried").length, 0);
    return figuresLine("disk full", {
      n: options.n,
      check,
      deadLettered,
      recoveryToLastRowMs: stack.lastRowTime() - back,
    }, `tmpfs_kb=${options.sizeKb ?? 300}`);
  } finally {
    await stack.close({ keepLogs: true });
    await run("umount", dir);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** `strays` well-formed Y_pred halves whose Y_true never comes arrive before the pipeline runs. */
export async function strayHalves(
  node: RabbitNode,
  options: { n: number; strays: number },
): Promise<string> {
  const stack = await JoinStack.open(node, "stray-halves");
  const broker = await RawBroker.open(stack.url);
  try {
    await stack.start("model");
    const metrics = await stack.start("metrics", { METRICS_ORPHAN_AFTER_MS: "3000" });
    for (let i = 0; i < options.strays; i++) {
      await broker.publishEnvelope("predictions/Y_pred", `stray-${i}`, {
        y_pred: i,
        model: { name: "linear", version: "1" },
      });
    }
    const published = Date.now();
    await stack.source(options.n);
    const check = await stack.allRows();
    assertExact(stack, check, options.n);
    const ms = stack.lastRowTime() - published;
    await waitFor(`${options.strays} orphans`, async () => {
      const lines = await Deno.readTextFile(join(stack.logsDir, "metric_orphans.csv"));
      return lines.split("\n").length - 2 === options.strays;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    const orphans = (await Deno.readTextFile(join(stack.logsDir, "metric_orphans.csv")))
      .split("\n").slice(1, -1).map((line) => line.split(",")[0]).toSorted();
    assert.deepEqual(
      orphans,
      Array.from({ length: options.strays }, (_, i) => `stray-${i}`).toSorted(),
    );
    // The log line follows the file's sync; its pipe may lag a little behind.
    const counted = () =>
      metrics.logs.filter((r) => r.event === "halves orphaned")
        .reduce((sum, r) => sum + Number(r.count), 0);
    await waitFor("the orphans logged", () => counted() >= options.strays, { timeoutMs: 10_000 });
    assert.equal(counted(), options.strays);
    const deadLettered = await stack.deadLettered();
    assert.equal(deadLettered, 0);
    return figuresLine(
      "stray halves",
      { n: options.n, check, deadLettered, recoveryToLastRowMs: ms },
      `strays=${options.strays} orphaned=${orphans.length}`,
    );
  } finally {
    await broker.close();
    await stack.close();
  }
}

/**
 * Someone appends lines to the CSV while metrics runs (between two runs of the
 * source, so no commit of ours races the append), then leaves a torn line
 * while metrics is stopped.
 */
export async function foreignLines(node: RabbitNode, options: { n: number }): Promise<string> {
  const stack = await JoinStack.open(node, "foreign-lines");
  const third = Math.floor(options.n / 3);
  const rowsAtLeast = (count: number) =>
    waitFor(`${count} rows`, async () => await stack.rows() >= count, { timeoutMs: 60_000 });
  try {
    await stack.start("model");
    const first = await stack.start("metrics");
    await stack.source(third);
    await rowsAtLeast(third);
    await Deno.writeTextFile(stack.csvPath, "hello\npartial", { append: true });
    await stack.source(third);
    await first.waitForLog(
      "the lines set aside",
      (r) => r.event === "metric log foreign lines set aside",
      { timeoutMs: 10_000 },
    );
    await rowsAtLeast(2 * third);
    assert.equal(await stack.stop("metrics"), 0);
    await Deno.writeTextFile(stack.csvPath, "abc,1", { append: true });
    const back = Date.now();
    const second = await stack.start("metrics");
    await stack.source(options.n - 2 * third);
    const check = await stack.allRows();
    assertExact(stack, check, options.n);
    const rejected = (await Deno.readTextFile(`${stack.csvPath}.rejected`)).split("\n");
    assert.equal(rejected[0], "line,reason,content");
    assert.deepEqual(rejected.slice(1, -1).map((l) => l.split(",").slice(1).join(",")), [
      '"expected 4 fields, got 1",hello',
      "torn: no line end,partial",
      'torn: no line end,"abc,1"',
    ]);
    assert.equal(second.logs.filter((r) => r.event === "metric log lines set aside").length, 1);
    const deadLettered = await stack.deadLettered();
    assert.equal(deadLettered, 0);
    return figuresLine("foreign lines", {
      n: options.n,
      check,
      deadLettered,
      recoveryToLastRowMs: stack.lastRowTime() - back,
    }, `rejected=${rejected.length - 2}`);
  } finally {
    await stack.close();
  }
}

/** The CSV is moved away (deleted from its path) while metrics runs. */
export async function deletedLog(node: RabbitNode, options: { n: number }): Promise<string> {
  const stack = await JoinStack.open(node, "deleted-log");
  try {
    await stack.start("model");
    const metrics = await stack.start("metrics");
    await stack.source(options.n, 2);
    await waitFor("a third of the rows", async () => await stack.rows() >= options.n / 3, {
      timeoutMs: 60_000,
    });
    const moved = `${stack.csvPath}.moved`;
    await Deno.rename(stack.csvPath, moved);
    const back = Date.now();
    await metrics.waitForLog("the deletion seen", (r) => r.event === "metric log deleted", {
      timeoutMs: 10_000,
    });
    const movedSize = (await Deno.stat(moved)).size;
    // Rows acked before the check saw the deletion are in the moved file, the
    // rest in the new one: together, each exactly once.
    const both = async () => {
      const rows = (text: string) => text.split("\n").slice(1).filter((l) => l !== "");
      const old = rows(await Deno.readTextFile(moved));
      return [HEADER, ...old, ...rows(await stack.csv())].join("\n") + "\n";
    };
    const check = await stack.allRows(both);
    assertExact(stack, check, options.n);
    assert.equal((await Deno.stat(moved)).size, movedSize, "nothing written into the moved file");
    assert.equal(metrics.logs.filter((r) => r.event === "metric log deleted").length, 1);
    const deadLettered = await stack.deadLettered();
    assert.equal(deadLettered, 0);
    return figuresLine("deleted log", {
      n: options.n,
      check,
      deadLettered,
      recoveryToLastRowMs: stack.lastRowTime() - back,
    });
  } finally {
    await stack.close();
  }
}

/** The readiness answer: `/readyz` where the runtime serves it, else `/healthz`. */
async function notReady(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  for (const path of ["/readyz", "/healthz"]) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    if (response.status === 404) {
      await response.body?.cancel();
      continue;
    }
    return { status: response.status, body: await response.json() };
  }
  throw new Error(`Cannot find the readiness of port ${port}: neither /readyz nor /healthz`);
}

/** Runs a command; "" on success, else its first line of error output. */
async function run(command: string, ...args: string[]): Promise<string> {
  try {
    const { code, stderr } = await new Deno.Command(command, { args, stdout: "null" }).output();
    if (code === 0) return "";
    return new TextDecoder().decode(stderr).trim().split("\n")[0] || `exit ${code}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
