/**
 * The join cannot stall: a model outage, a full disk, stray halves, foreign
 * lines in the CSV and the CSV deleted, each on the pipeline as processes on
 * a private RabbitMQ node, small enough for the regular suite (the fault
 * suite runs the large model outage and disk-full cases).
 */
// deno-lint-ignore-file no-console
import { startRabbitNode } from "../shared/testing/rabbit_node.ts";
import {
  deletedLog,
  diskFull,
  foreignLines,
  modelOutage,
  strayHalves,
} from "./_testing/join_scenarios.ts";

Deno.test("metrics' join never stalls and dead-letters no good message", async (t) => {
  const node = await startRabbitNode();
  try {
    await t.step("a model outage of 5 s under 1 000 observations", async () => {
      console.log(await modelOutage(node, { n: 1000, outageMs: 5000 }));
    });
    await t.step("a full disk (a 300 KB tmpfs), then enlarged", async () => {
      console.log(await diskFull(node, { n: 3000 }));
    });
    await t.step("200 Y_pred halves whose Y_true never comes", async () => {
      console.log(await strayHalves(node, { n: 300, strays: 200 }));
    });
    await t.step("lines appended to the CSV by someone else, a torn one at a restart", async () => {
      console.log(await foreignLines(node, { n: 600 }));
    });
    await t.step("the CSV deleted while metrics runs", async () => {
      console.log(await deletedLog(node, { n: 600 }));
    });
  } finally {
    await node.close();
  }
});
