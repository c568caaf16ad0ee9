import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeContext } from "../../shared/testing/fake_context.ts";
import { delay } from "../../shared/runtime/backoff.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";
import { prediction, track, truth } from "../_testing/metric_messages.ts";
import { CSV_HEADER } from "./metric_store.ts";
import { LOCK_FILE, MetricsReplica } from "./metrics_replica.ts";
import { metricsSettings } from "./settings.ts";

function context(logsDir: string) {
  return fakeContext(metricsSettings, {
    name: "metrics",
    env: { LOGS_DIR: logsDir, METRICS_FLUSH_MS: "0" },
    now: Date.now,
  });
}

async function listing(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    files[entry.name] = await Deno.readTextFile(join(dir, entry.name));
  }
  return files;
}

Deno.test("MetricsReplica touches no file until its first delivery", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "metrics_replica_test_" });
  const csv = join(logsDir, "metric_log.csv");
  // The active replica's files, with a torn last line a standby must not repair.
  await Deno.writeTextFile(csv, `${CSV_HEADER}\n1a,151,140.25,10.75\n2b,15`);
  const before = await listing(logsDir);
  const replica = new MetricsReplica(context(logsDir));
  try {
    await delay(50);
    assert.equal(replica.active, false);
    assert.deepEqual(await listing(logsDir), before);
    await replica.handle(truth("3c", 100));
    assert.equal(replica.active, true);
    const after = await listing(logsDir);
    assert.deepEqual(Object.keys(after).sort(), [
      "metric_halves.jsonl",
      "metric_log.champion",
      "metric_log.csv",
      "metric_log.csv.rejected",
      LOCK_FILE,
      "metric_orphans.csv",
    ]);
    assert.equal(after["metric_log.csv"], `${CSV_HEADER}\n1a,151,140.25,10.75\n`);
  } finally {
    await replica.close();
    await Deno.remove(logsDir, { recursive: true });
  }
});

Deno.test("MetricsReplica waits for the lock while another replica holds it", async () => {
  const base = await Deno.makeTempDir({ prefix: "metrics_replica_test_" });
  // Not there yet: the first to become active creates it, as the store did at start.
  const logsDir = join(base, "logs");
  const first = new MetricsReplica(context(logsDir));
  const second = new MetricsReplica(context(logsDir));
  try {
    await first.handle(truth("4d", 151));
    const waiting = second.handle(prediction("4d", 140.25));
    const progress = track(waiting);
    // Long enough for the second to open the store, were the lock not held.
    await delay(300);
    assert.equal(progress.state, "pending");
    assert.equal(second.active, false);
    await first.close();
    await waiting;
    // The second read the first's journal back: the pair became one row.
    assert.equal(
      await Deno.readTextFile(join(logsDir, "metric_log.csv")),
      `${CSV_HEADER}\n4d,151,140.25,10.75\n`,
    );
  } finally {
    await Promise.all([first.close(), second.close()]);
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("MetricsReplica pauses while it cannot open the store, and no delivery fails", async () => {
  const base = await Deno.makeTempDir({ prefix: "metrics_replica_test_" });
  const logsDir = join(base, "logs");
  // A file where the folder should be: every open fails until it is moved away.
  await Deno.writeTextFile(logsDir, "in the way");
  const ctx = context(logsDir);
  const replica = new MetricsReplica(ctx, { retry: { initialMs: 10, maxMs: 20 } });
  try {
    const handled = replica.handle(truth("5e", 151));
    const progress = track(handled);
    await waitFor("the pause", () => ctx.paused !== undefined);
    assert.match(ctx.paused!, /^Cannot open the metric log in ".*logs": /);
    assert.equal(progress.state, "pending");
    await Deno.remove(logsDir);
    await handled;
    assert.equal(ctx.paused, undefined);
    assert.equal(replica.active, true);
  } finally {
    await replica.close();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("MetricsReplica.deactivate() releases the lock; its next delivery waits for it again", async () => {
  const logsDir = await Deno.makeTempDir({ prefix: "metrics_replica_test_" });
  const first = new MetricsReplica(context(logsDir));
  const second = new MetricsReplica(context(logsDir));
  try {
    await first.handle(truth("6f", 151));
    const taken = track(second.handle(prediction("6f", 140.25)));
    await first.deactivate();
    assert.equal(first.active, false);
    await waitFor("the second to open the store", () => taken.state === "resolved");
    // Active again on its next delivery, once the second lets go.
    const again = track(first.handle(truth("7a", 100)));
    await delay(300);
    assert.equal(again.state, "pending");
    await second.close();
    await waitFor("the first to take the lock back", () => again.state === "resolved");
    assert.equal(
      await Deno.readTextFile(join(logsDir, "metric_log.csv")),
      `${CSV_HEADER}\n6f,151,140.25,10.75\n`,
    );
  } finally {
    await Promise.all([first.close(), second.close()]);
    await Deno.remove(logsDir, { recursive: true });
  }
});
