/**
 * A challenger compared with the champion on the observations both scored:
 * their absolute errors paired by id, then {@linkcode compareModels}. An id
 * only one model has a row for is left out.
 *
 * @module
 */
import { compareModels, type CompareModelsOptions, type Comparison } from "../_compare_models.ts";

/** Pairs the errors by id and compares them; `options` go to {@linkcode compareModels}. */
export function compareById(
  championErrors: ReadonlyMap<string, number>,
  challengerErrors: ReadonlyMap<string, number>,
  options: CompareModelsOptions = {},
): Comparison {
  const champion: number[] = [];
  const challenger: number[] = [];
  // Walks the smaller map and looks each id up in the larger one.
  if (championErrors.size <= challengerErrors.size) {
    for (const [id, error] of championErrors) {
      const other = challengerErrors.get(id);
      if (other === undefined) continue;
      champion.push(error);
      challenger.push(other);
    }
  } else {
    for (const [id, error] of challengerErrors) {
      const other = championErrors.get(id);
      if (other === undefined) continue;
      champion.push(other);
      challenger.push(error);
    }
  }
  return compareModels(champion, challenger, options);
}
