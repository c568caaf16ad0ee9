/**
 * What input drift adds to the model function's handler per message: the
 * handler with the committed `data/model.json` (which holds the training
 * features' bins) against the same model from a file without them, and the
 * counting alone:
 * `deno bench --frozen --allow-read --allow-write bench/model_drift_bench.ts`.
 *
 * @module
 */
import { join } from "node:path";
import type { MessageOf } from "../shared/define_function.ts";
import { fakeContext } from "../shared/testing/fake_context.ts";
import type { FEATURES_X } from "../functions/_streams.ts";
import { loadDiabetes } from "../functions/_load_diabetes.ts";
import { FeatureDrift } from "../functions/model/feature_drift.ts";
import { loadModel } from "../functions/model/load_model.ts";
import model from "../functions/model/mod.ts";
import { modelSettings } from "../functions/model/settings.ts";

const dataDir = new URL("../data", import.meta.url).pathname;
const rows = await loadDiabetes(dataDir);
const messages: MessageOf<typeof FEATURES_X>[] = rows.map((row, i) => ({
  stream: "features/X",
  id: `01900000-0000-7000-8000-${String(i).padStart(12, "0")}`,
  timestamp: 0,
  data: row.features,
  attempt: 1,
}));

// The same model in a file written before references: no drift to count.
const withoutReference = await Deno.makeTempDir();
const json = JSON.parse(await Deno.readTextFile(join(dataDir, "model.json")));
delete json.reference;
await Deno.writeTextFile(join(withoutReference, "model.json"), JSON.stringify(json));

async function handler(dir: string) {
  const ctx = fakeContext(modelSettings, {
    name: "model",
    env: { DATA_DIR: dir, MODEL_RELOAD_MS: "0" },
  });
  const state = await model.setup(ctx);
  let i = 0;
  return async () => {
    // The fake context keeps every publish; forget them so memory stays flat.
    if (ctx.published.length > 10_000) ctx.published.length = 0;
    await model.handle(messages[i++ % messages.length]!, state, ctx);
  };
}

const withDrift = await handler(dataDir);
const withoutDrift = await handler(withoutReference);
// Loaded at setup and never checked again (MODEL_RELOAD_MS=0).
await Deno.remove(withoutReference, { recursive: true });
Deno.bench(
  "handle() MODEL=linear, with input drift",
  { group: "handle", baseline: true },
  withDrift,
);
Deno.bench("handle() MODEL=linear, without input drift", { group: "handle" }, withoutDrift);

const drift = new FeatureDrift((await loadModel(dataDir, "linear")).reference!);
let j = 0;
Deno.bench("FeatureDrift.observe() one row (10 binary searches)", () => {
  drift.observe(rows[j++ % rows.length]!.features);
});

// Paid once every 100 observations.
Deno.bench("FeatureDrift.psi() ten features", () => {
  drift.psi();
});
