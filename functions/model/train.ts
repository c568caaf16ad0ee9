// deno-lint-ignore-file no-console
/**
 * Fits the linear model on the whole data set and writes `data/model.json`:
 * `deno task train [dataDir]`. An entry point, so it may print.
 */
import { join } from "node:path";
import { loadDiabetes } from "../features/load_diabetes.ts";
import { fitLinearModel } from "./fit_linear_model.ts";
import { MODEL_FILE } from "./load_model.ts";

// An argument rather than DATA_DIR: the "train" permission set reads no environment.
const dataDir = Deno.args[0] ?? "./data";
const fit = fitLinearModel(await loadDiabetes(dataDir));
const path = join(dataDir, MODEL_FILE);
await Deno.writeTextFile(path, JSON.stringify(fit, null, 2) + "\n");
const { n, mae, rmse, r2 } = fit.training;
console.log(
  `Wrote ${path}: n ${n}, MAE ${mae.toFixed(4)}, RMSE ${rmse.toFixed(4)}, R² ${r2.toFixed(4)}`,
);
