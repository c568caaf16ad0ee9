import { join } from "node:path";
import { forestModel, parseForestModel } from "./forest_model.ts";
import { linearModel, parseLinearModel } from "./linear_model.ts";
import type { Model, ModelKind } from "./model.ts";
import { sumModel } from "./sum_model.ts";

/** The linear model's file name inside the data directory. */
export const MODEL_FILE = "model.json";

/** The random forest's file name inside the data directory. */
export const FOREST_MODEL_FILE = "model.forest.json";

/** The file each fitted kind is read from; "sum" needs none. */
export function modelFile(kind: ModelKind): string | undefined {
  switch (kind) {
    case "linear":
      return MODEL_FILE;
    case "forest":
      return FOREST_MODEL_FILE;
    case "sum":
      return undefined;
  }
}

/**
 * Loads the model `MODEL` names: "linear" reads `<dataDir>/model.json`,
 * "forest" `<dataDir>/model.forest.json` (version: the first 12 hex digits of
 * the file's SHA-256, so two different files never share one); "sum" needs no
 * file (version "1").
 *
 * Rejects with `Deno.errors.NotFound` when the file is missing, and with the
 * errors of {@linkcode parseLinearModel} or {@linkcode parseForestModel} when
 * it is malformed.
 */
export async function loadModel(dataDir: string, kind: ModelKind): Promise<Model> {
  const file = modelFile(kind);
  if (file === undefined) return sumModel;
  const path = join(dataDir, file);
  const text = await readModelText(path);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const version = new Uint8Array(digest).toHex().slice(0, 12);
  return kind === "forest"
    ? forestModel(parseForestModel(text, path), { version })
    : linearModel(parseLinearModel(text, path), { version });
}

async function readModelText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `Cannot load the model: file "${path}" does not exist; run "deno task train"`,
        { cause },
      );
    }
    throw cause;
  }
}
