import { join } from "node:path";
import { linearModel, parseLinearModel } from "./linear_model.ts";
import type { Model, ModelKind } from "./model.ts";
import { sumModel } from "./sum_model.ts";

/** The linear model's file name inside the data directory. */
export const MODEL_FILE = "model.json";

/**
 * Loads the model `MODEL` names: "linear" reads `<dataDir>/model.json`
 * (version: the first 12 hex digits of the file's SHA-256), "sum" needs no
 * file (version "1").
 *
 * Rejects with `Deno.errors.NotFound` when model.json is missing, and with the
 * errors of {@linkcode parseLinearModel} when it is malformed.
 */
export async function loadModel(dataDir: string, kind: ModelKind): Promise<Model> {
  switch (kind) {
    case "sum":
      return sumModel;
    case "linear":
      return await loadLinearModel(join(dataDir, MODEL_FILE));
  }
}

async function loadLinearModel(path: string): Promise<Model> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `Cannot load the model: file "${path}" does not exist; run "deno task train"`,
        { cause },
      );
    }
    throw cause;
  }
  const file = parseLinearModel(text, path);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return linearModel(file, { version: new Uint8Array(digest).toHex().slice(0, 12) });
}
