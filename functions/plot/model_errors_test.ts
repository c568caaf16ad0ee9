import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeContext, loggedEvents as events } from "../../shared/testing/fake_context.ts";
import { METRIC_LOG_HEADER } from "./metric_log_reader.ts";
import { ModelErrors } from "./model_errors.ts";

async function withLog(test: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "model_errors_" });
  try {
    await test(join(dir, "metric_log.forest.csv"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function modelErrors(path: string, champion: boolean, byId: boolean) {
  const ctx = fakeContext({}, { name: "plot" });
  const report = { logger: ctx.logger, skippedRows: ctx.counter("plot_skipped_rows", "") };
  return { ctx, errors: new ModelErrors({ model: "forest", path, champion }, report, { byId }) };
}

Deno.test("ModelErrors.read() keeps a model's errors, ascending and by id", async (t) => {
  await t.step(
    "by id when asked; the version rises with each change only",
    () =>
      withLog(async (path) => {
        const { errors } = modelErrors(path, false, true);
        await Deno.writeTextFile(path, `${METRIC_LOG_HEADER}\nb,1,9,8\na,1,3,2\n`);
        assert.equal(await errors.read(), true);
        assert.equal(await errors.read(), false);
        assert.equal(errors.version, 1);
        assert.deepEqual([...errors.values()], [2, 8]);
        assert.deepEqual([...errors.errorsById], [["b", 8], ["a", 2]]);
        assert.deepEqual(errors.summary, { rows: 2, mae: 5, rmse: Math.sqrt(34) });
      }),
  );

  await t.step("not by id unless asked", () =>
    withLog(async (path) => {
      const { errors } = modelErrors(path, false, false);
      await Deno.writeTextFile(path, `${METRIC_LOG_HEADER}\nb,1,9,8\n`);
      await errors.read();
      assert.deepEqual([errors.rows, errors.errorsById.size], [1, 0]);
    }));

  await t.step("a truncated log drops every error and id held", () =>
    withLog(async (path) => {
      const { errors, ctx } = modelErrors(path, false, true);
      await Deno.writeTextFile(path, `${METRIC_LOG_HEADER}\nb,1,9,8\na,1,3,2\n`);
      await errors.read();
      await Deno.writeTextFile(path, `${METRIC_LOG_HEADER}\nc,1,2,1\n`);
      assert.equal(await errors.read(), true);
      assert.deepEqual([...errors.errorsById], [["c", 1]]);
      assert.deepEqual([...errors.values()], [1]);
      assert.deepEqual(events(ctx), [
        "info Metric log has rows",
        "warn Metric log changed under the reader, reading it again",
      ]);
    }));
});

Deno.test("ModelErrors.read() warns of a champion's missing log, tells of a challenger's", async () => {
  await withLog(async (path) => {
    const champion = modelErrors(path, true, false);
    const challenger = modelErrors(path, false, false);
    for (let i = 0; i < 2; i++) {
      assert.equal(await champion.errors.read(), false);
      assert.equal(await challenger.errors.read(), false);
    }
    assert.deepEqual(events(champion.ctx), ["warn Metric log not found"]);
    assert.deepEqual(events(challenger.ctx), ["info Metric log not found"]);
    assert.deepEqual([challenger.ctx.logs[0]?.model, challenger.ctx.logs[0]?.path], [
      "forest",
      path,
    ]);
  });
});
