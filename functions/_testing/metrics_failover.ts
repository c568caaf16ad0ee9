/**
 * Two metrics replicas on the pipeline as processes: the active one is killed
 * with SIGKILL mid-stream, the standby takes over; every confirmed observation
 * must be exactly one correct row, and the time until rows resume is measured
 * from the kill to the standby's first "row written" line. A second case cuts
 * every connection of the vhost instead: both replicas reconnect, the broker
 * picks either, and the former active one must have let go of the files.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { FunctionProcess } from "../../shared/testing/function_process.ts";
import type { RabbitNode } from "../../shared/testing/rabbit_node.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";
import { JoinStack } from "./join_stack.ts";

const ACTIVE = "active: taking the metric log's lock";

function firstTime(process: FunctionProcess, event: string): number | undefined {
  const record = process.logs.find((r) => r.event === event);
  return record === undefined ? undefined : Date.parse(String(record.time));
}

/** Runs `n` observations unthrottled and kills the active replica after `killAfterRows` rows. */
export async function metricsFailover(
  node: RabbitNode,
  options: { n: number; killAfterRows: number; targetMs: number },
): Promise<string> {
  const stack = await JoinStack.open(node, "metrics-failover");
  try {
    await stack.start("model");
    const replicas = [await stack.start("metrics"), await stack.start("metrics")];
    await stack.source(options.n);
    await waitFor(`${options.killAfterRows} rows`, async () => {
      return await stack.rows() >= options.killAfterRows;
    }, { timeoutMs: 120_000, intervalMs: 20 });
    const active = replicas.filter((p) => firstTime(p, ACTIVE) !== undefined);
    assert.equal(active.length, 1, "exactly one replica opened the files");
    const [killed] = active as [FunctionProcess];
    const standby = replicas.find((p) => p !== killed)!;
    killed.kill("SIGKILL");
    const killedAt = Date.now();
    const rowsAtKill = await stack.rows();
    await killed.exited;
    const check = await stack.allRows();
    assert.equal(stack.confirmed(), options.n, "the source confirmed every observation");
    assert.deepEqual(
      { rows: check.rows, lost: check.lost, duplicated: check.duplicated, wrong: check.wrong },
      { rows: options.n, lost: 0, duplicated: 0, wrong: 0 },
      check.problems.join("\n"),
    );
    const deadLettered = await stack.deadLettered();
    assert.equal(deadLettered, 0);
    assert.ok(rowsAtKill < options.n, `the kill came mid-stream (${rowsAtKill} rows)`);
    const tookOver = firstTime(standby, ACTIVE);
    assert.ok(tookOver !== undefined && tookOver >= killedAt, "the standby opened after the kill");
    const resumed = firstTime(standby, "row written")! - killedAt;
    const verdict = resumed <= options.targetMs ? "met" : "MISSED";
    return `metrics(failover): N=${options.n} rows=${check.rows} lost=${check.lost} ` +
      `duplicated=${check.duplicated} wrong=${check.wrong} dead_lettered=${deadLettered} ` +
      `rows_at_kill=${rowsAtKill} resume_ms=${resumed} target_ms=${options.targetMs} ${verdict}`;
  } finally {
    await stack.close();
  }
}

/** Runs `n` observations unthrottled and closes every connection after `closeAfterRows` rows. */
export async function metricsConnectionLoss(
  node: RabbitNode,
  options: { n: number; closeAfterRows: number },
): Promise<string> {
  const stack = await JoinStack.open(node, "metrics-connection-loss");
  try {
    await stack.start("model");
    const replicas = [await stack.start("metrics"), await stack.start("metrics")];
    await stack.source(options.n);
    await waitFor(`${options.closeAfterRows} rows`, async () => {
      return await stack.rows() >= options.closeAfterRows;
    }, { timeoutMs: 120_000, intervalMs: 20 });
    await node.ctl("close_all_connections", "-p", stack.vhost, "test");
    const check = await stack.allRows();
    assert.equal(stack.confirmed(), options.n, "the source confirmed every observation");
    assert.deepEqual(
      { rows: check.rows, lost: check.lost, duplicated: check.duplicated, wrong: check.wrong },
      { rows: options.n, lost: 0, duplicated: 0, wrong: 0 },
      check.problems.join("\n"),
    );
    const deadLettered = await stack.deadLettered();
    assert.equal(deadLettered, 0);
    const deactivated = replicas.filter((p) =>
      p.logs.some((r) => String(r.event).startsWith("standing by: connection lost"))
    );
    assert.equal(deactivated.length, 1, "the active replica let go of the files");
    // From the moment the active replica let go to the next row written by either.
    const lost = firstTime(
      deactivated[0]!,
      "standing by: connection lost, closing the store and its lock",
    )!;
    const rowsAfter = (p: FunctionProcess) =>
      p.logs.filter((r) => r.event === "row written" && Date.parse(String(r.time)) > lost)
        .map((r) => Date.parse(String(r.time)));
    const resumed = Math.min(...replicas.flatMap(rowsAfter)) - lost;
    const writers = replicas.filter((p) => rowsAfter(p).length > 0).length;
    assert.ok(writers > 0, "rows came after the connections were closed");
    return `metrics(connection loss): N=${options.n} rows=${check.rows} lost=${check.lost} ` +
      `duplicated=${check.duplicated} wrong=${check.wrong} dead_lettered=${deadLettered} ` +
      `rows_after_close=${
        replicas.flatMap(rowsAfter).length
      } resume_ms=${resumed} writers_after=${writers}`;
  } finally {
    await stack.close();
  }
}
