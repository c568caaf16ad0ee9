// deno-lint-ignore-file no-console
/**
 * Fits the linear model and the random forest on the whole data set and
 * writes `data/model.json` and `data/model.forest.json`:
 * `deno task train [dataDir]`. Each file is written whole under a temporary
 * name and renamed over the old one, so a running model function that
 * reloads it never reads half a file. An entry point, so it may print.
 */
import { join } from "node:path";
import { loadDiabetes } from "../_load_diabetes.ts";
import { fitForestModel } from "./fit_forest_model.ts";
import { fitLinearModel } from "./fit_linear_model.ts";
import { FOREST_MODEL_FILE, MODEL_FILE } from "./load_model.ts";

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temporary, text);
  await Deno.rename(temporary, path);
}

function figures(training: { n: number; mae: number; rmse: number; r2: number }): string {
  const { n, mae, rmse, r2 } = training;
  return `n ${n}, MAE ${mae.toFixed(4)}, RMSE ${rmse.toFixed(4)}, R² ${r2.toFixed(4)}`;
}

// An argument rather than DATA_DIR: the "train" permission set reads no environment.
const dataDir = Deno.args[0] ?? "./data";
const rows = await loadDiabetes(dataDir);

const linear = fitLinearModel(rows);
const linearPath = join(dataDir, MODEL_FILE);
await writeAtomically(linearPath, JSON.stringify(linear, null, 2) + "\n");
console.log(`Wrote ${linearPath}: ${figures(linear.training)}`);

const forest = fitForestModel(rows);
const forestPath = join(dataDir, FOREST_MODEL_FILE);
await writeAtomically(forestPath, JSON.stringify(forest, null, 2) + "\n");
const { oob, trees, seed } = forest.training;
console.log(
  `Wrote ${forestPath}: ${figures(forest.training)}; out of bag MAE ${oob.mae.toFixed(4)}, ` +
    `RMSE ${oob.rmse.toFixed(4)}, R² ${oob.r2.toFixed(4)} (${trees} trees, seed ${seed})`,
);
