/**
 * The cost of one prediction per model kind, as the model function pays it
 * per message: `deno bench --frozen --allow-read=data bench/model_predict_bench.ts`.
 *
 * @module
 */
import { loadDiabetes } from "../functions/_load_diabetes.ts";
import { loadModel } from "../functions/model/load_model.ts";
import { MODEL_KINDS } from "../functions/model/settings.ts";

const dataDir = new URL("../data", import.meta.url).pathname;
const rows = await loadDiabetes(dataDir);
for (const kind of MODEL_KINDS) {
  const model = await loadModel(dataDir, kind);
  let i = 0;
  Deno.bench(`predict one row with MODEL=${kind}`, { group: "predict" }, () => {
    model.predict(rows[i++ % rows.length]!.features);
  });
}
