import assert from "node:assert/strict";
import { join } from "node:path";
import { createLogger } from "../../shared/logger.ts";
import type { LogFields } from "../../shared/logger.ts";
import { drainMicrotasks, track } from "../_testing/metric_messages.ts";
import { FakeClock } from "./_fake_clock.ts";
import { CSV_HEADER, openCsvLog } from "./csv_log.ts";
import type { AppendFile, OpenCsvLogOptions } from "./csv_log.ts";

const HEADER_LINE = CSV_HEADER + "\n";

interface Recorded {
  writes: number;
  syncs: number;
}

/** Opens with Deno.open and counts writes and syncs; `hook` may delay or fail a sync. */
function countingOpener(recorded: Recorded, hook?: (sync: number) => Promise<void> | undefined) {
  return async (path: string): Promise<AppendFile> => {
    const file = await Deno.open(path, { append: true });
    return {
      write: (data) => {
        recorded.writes++;
        return file.write(data);
      },
      syncData: async () => {
        recorded.syncs++;
        await hook?.(recorded.syncs);
        await file.syncData();
      },
      truncate: (length) => file.truncate(length),
      close: () => file.close(),
    };
  };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "csv_log_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function recordingLogger(records: LogFields[]) {
  return createLogger("metrics", { write: (line) => records.push(JSON.parse(line)) });
}

Deno.test("openCsvLog() creates the directory and the file with its header", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "nested", "logs", "metric_log.csv");
    const log = await openCsvLog(path, { flushMs: 0 });
    await log.close();
    assert.equal(await Deno.readTextFile(path), HEADER_LINE);
    assert.equal(log.rowsInFile, 0);
  });
});

Deno.test("CsvLog.append() writes errors at full precision that round-trip", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "metric_log.csv");
    const clock = new FakeClock();
    const log = await openCsvLog(path, { flushMs: 5, scheduler: clock });
    const rows: [string, number, number][] = [
      ["a", 0.3, 0.1],
      ["b", 151, 149.73228834727],
      ["c", -1e-7, 3e21],
      ["d", 0.1, 0.30000000000000004],
    ];
    const results = rows.map(([id, yTrue, yPred]) => log.append(id, yTrue, yPred));
    clock.advance(5);
    assert.deepEqual(await Promise.all(results), ["written", "written", "written", "written"]);
    await log.close();
    const text = await Deno.readTextFile(path);
    assert.equal(
      text,
      HEADER_LINE +
        "a,0.3,0.1,0.19999999999999998\n" +
        "b,151,149.73228834727,1.2677116527299859\n" +
        "c,-1e-7,3e+21,3e+21\n" +
        "d,0.1,0.30000000000000004,0.20000000000000004\n",
    );
    const parsed = text.trim().split("\n").slice(1).map((line) => line.split(",").slice(1));
    for (const [i, [, yTrue, yPred]] of rows.entries()) {
      assert.deepEqual(parsed[i]!.map(Number), [yTrue, yPred, Math.abs(yTrue - yPred)]);
    }
  });
});

Deno.test("CsvLog.append() quotes an id that needs it and refuses a line break", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "metric_log.csv");
    const log = await openCsvLog(path, { flushMs: 0 });
    try {
      assert.equal(await log.append('x,"y"', 1, 2), "written");
      assert.throws(() => log.append("a\nb", 1, 2), {
        name: "RangeError",
        message: 'Cannot append id "a\\nb": it is empty or has a line break',
      });
    } finally {
      await log.close();
    }
    assert.equal(await Deno.readTextFile(path), HEADER_LINE + '"x,""y""",1,2,1\n');
    const reopened = await openCsvLog(path, { flushMs: 0 });
    try {
      assert.equal(await reopened.append('x,"y"', 1, 2), "duplicate");
    } finally {
      await reopened.close();
    }
  });
});

Deno.test("CsvLog.append() commits concurrent rows as a group", async (t) => {
  await t.step("100 rows within the flush window: one write, one sync", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "metric_log.csv");
      const clock = new FakeClock();
      const recorded = { writes: 0, syncs: 0 };
      const openFile = countingOpener(recorded);
      const log = await openCsvLog(path, { flushMs: 5, scheduler: clock, openFile });
      const results = Array.from({ length: 100 }, (_, i) => track(log.append(`id${i}`, i, 0)));
      assert.equal(log.queued, 100);
      clock.advance(4);
      await drainMicrotasks();
      assert.equal(recorded.writes, 0);
      clock.advance(1);
      await log.flush();
      await drainMicrotasks();
      assert.deepEqual(recorded, { writes: 1, syncs: 1 });
      assert.ok(results.every((r) => r.state === "resolved"));
      await log.close();
      const lines = (await Deno.readTextFile(path)).split("\n");
      assert.equal(lines.length, 102);
      assert.equal(lines[100], "id99,99,0,99");
    });
  });

  await t.step("rows arriving during a write go out together right after it", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "metric_log.csv");
      const clock = new FakeClock();
      const recorded = { writes: 0, syncs: 0 };
      const gate = Promise.withResolvers<void>();
      const syncing = Promise.withResolvers<void>();
      const openFile = countingOpener(recorded, (sync) => {
        if (sync !== 1) return undefined;
        syncing.resolve();
        return gate.promise;
      });
      const log = await openCsvLog(path, { flushMs: 5, scheduler: clock, openFile });
      const first = track(log.append("first", 1, 1));
      clock.advance(5);
      await syncing.promise;
      const later = Array.from({ length: 50 }, (_, i) => track(log.append(`late${i}`, i, 0)));
      assert.equal(clock.pendingTimers, 0);
      assert.deepEqual([first.state, later[0]!.state], ["pending", "pending"]);
      gate.resolve();
      await log.flush();
      await drainMicrotasks();
      assert.deepEqual(recorded, { writes: 2, syncs: 2 });
      assert.ok([first, ...later].every((r) => r.state === "resolved"));
      assert.equal(log.rowsWritten, 51);
      await log.close();
    });
  });
});

Deno.test("CsvLog.append() writes an id once across restarts", async (t) => {
  await withTempDir(async (dir) => {
    const path = join(dir, "metric_log.csv");
    await t.step("same id while queued and after written", async () => {
      const log = await openCsvLog(path, { flushMs: 0 });
      const results = [log.append("a", 1, 2), log.append("a", 1, 2)];
      assert.deepEqual(await Promise.all(results), ["written", "duplicate"]);
      assert.equal(await log.append("a", 1, 2), "duplicate");
      assert.equal(await log.append("b", 3, 5), "written");
      await log.close();
    });

    await t.step("same id after reopening", async () => {
      const log = await openCsvLog(path, { flushMs: 0 });
      assert.equal(log.rowsInFile, 2);
      assert.notEqual(log.recorded("a"), undefined);
      assert.equal(log.recorded("c"), undefined);
      assert.equal(await log.append("a", 1, 2), "duplicate");
      assert.equal(await log.append("c", 0, 0.5), "written");
      await log.close();
      assert.equal(
        await Deno.readTextFile(path),
        HEADER_LINE + "a,1,2,1\nb,3,5,2\nc,0,0.5,0.5\n",
      );
    });

    await t.step("only the most recent dedupWindow ids are remembered", async () => {
      const log = await openCsvLog(path, { flushMs: 0, dedupWindow: 2 });
      assert.equal(log.recorded("a"), undefined);
      assert.notEqual(log.recorded("b"), undefined);
      assert.notEqual(log.recorded("c"), undefined);
      await log.close();
    });
  });
});

Deno.test("openCsvLog() repairs the file a crash left behind", async (t) => {
  await withTempDir(async (dir) => {
    const path = join(dir, "metric_log.csv");

    await t.step("cuts a torn last row and logs what it cut", async () => {
      await Deno.writeTextFile(path, HEADER_LINE + "a,1,2,1\nb,3,5");
      const records: LogFields[] = [];
      const log = await openCsvLog(path, { flushMs: 0, logger: recordingLogger(records) });
      assert.equal(await log.append("b", 3, 5), "written");
      assert.equal(await log.append("a", 1, 2), "duplicate");
      await log.close();
      assert.equal(await Deno.readTextFile(path), HEADER_LINE + "a,1,2,1\nb,3,5,2\n");
      const cut = records.filter((r) => r.event === "metric log torn line cut");
      assert.deepEqual(cut.map(({ path, cutBytes, cut }) => ({ path, cutBytes, cut })), [
        { path, cutBytes: 5, cut: "b,3,5" },
      ]);
    });

    await t.step("cuts a torn row longer than one read chunk", async () => {
      const rows = Array.from({ length: 5000 }, (_, i) => `row${i},${i},0,${i}\n`).join("");
      await Deno.writeTextFile(path, HEADER_LINE + rows + "x".repeat(200_000));
      const log = await openCsvLog(path, { flushMs: 0 });
      assert.equal(log.rowsInFile, 5000);
      assert.notEqual(log.recorded("row4999"), undefined);
      await log.close();
      assert.equal(await Deno.readTextFile(path), HEADER_LINE + rows);
    });

    await t.step("rewrites a torn header", async () => {
      await Deno.writeTextFile(path, "id,y_tr");
      const log = await openCsvLog(path, { flushMs: 0 });
      await log.close();
      assert.equal(await Deno.readTextFile(path), HEADER_LINE);
    });

    await t.step("refuses a file with another header", async () => {
      await Deno.writeTextFile(path, "a,b\n1,2\n");
      await assert.rejects(openCsvLog(path, { flushMs: 0 }), {
        name: "SyntaxError",
        message: `Cannot read metric log "${path}": header is "a,b", expected "${CSV_HEADER}"`,
      });
    });
  });
});

Deno.test("CsvLog.append() rolls back a failed sync so the retry writes the row once", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "metric_log.csv");
    const recorded = { writes: 0, syncs: 0 };
    const openFile = countingOpener(
      recorded,
      (sync) => sync === 1 ? Promise.reject(new Error("EIO")) : Promise.resolve(),
    );
    const options: OpenCsvLogOptions = { flushMs: 0, openFile };
    const log = await openCsvLog(path, options);
    try {
      await assert.rejects(log.append("a", 1, 2), {
        message: `Cannot append 1 rows to "${path}"`,
      });
      assert.equal(log.recorded("a"), undefined);
      assert.equal(await log.append("a", 1, 2), "written");
    } finally {
      await log.close();
    }
    assert.equal(await Deno.readTextFile(path), HEADER_LINE + "a,1,2,1\n");
  });
});

Deno.test("CsvLog.close() writes queued rows, then refuses new ones", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "metric_log.csv");
    const clock = new FakeClock();
    const log = await openCsvLog(path, { flushMs: 1000, scheduler: clock });
    const queued = log.append("a", 1, 2);
    const closing = log.close();
    assert.equal(log.close(), closing);
    await closing;
    assert.equal(await queued, "written");
    assert.equal(clock.pendingTimers, 0);
    await assert.rejects(log.append("b", 1, 2), {
      message: `Cannot append to "${path}": the log is closed`,
    });
    assert.equal(await Deno.readTextFile(path), HEADER_LINE + "a,1,2,1\n");
  });
});
