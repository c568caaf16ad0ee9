/**
 * Finds a function by convention, as a serverless platform finds a handler:
 * the default export of `functions/<name>/mod.ts`. This is the one module of
 * the runtime that reaches into `functions/`, and only by that path.
 *
 * @module
 */
import type { PipelineFunction } from "../define_function.ts";
import { PipelineError } from "../errors.ts";
import { type Env, readSettings, settingVariables } from "../settings.ts";

/** The folder the functions live in, one folder each. */
export const FUNCTIONS_DIR: URL = new URL("../../functions/", import.meta.url);

/** A function found and configured: its name, its definition, its resolved settings. */
export interface LoadedFunction {
  /** The folder's name; also the consumer group. */
  readonly name: string;
  readonly definition: PipelineFunction;
  /** The values of the function's own settings: what its handler sees as `ctx.config`. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** A name with no function folder, or a folder whose module is not a function. */
export class FunctionNotFoundError extends PipelineError {
  /** Creates the error; the message lists the functions there are. */
  constructor(message: string, options?: ErrorOptions) {
    super("FUNCTION_NOT_FOUND", message, options);
  }
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** The functions there are: folders of `functions/` holding a `mod.ts`, sorted by name. */
export function listFunctions(dir: URL = FUNCTIONS_DIR): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isDirectory || !NAME.test(entry.name)) continue;
    try {
      if (Deno.statSync(new URL(`${entry.name}/mod.ts`, dir)).isFile) names.push(entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return names.sort();
}

function notFound(name: string, detail: string, dir: URL, cause?: unknown): FunctionNotFoundError {
  let known: string;
  try {
    known = `the functions are ${listFunctions(dir).join(", ")}`;
  } catch {
    known = "the functions folder cannot be listed";
  }
  return new FunctionNotFoundError(`Cannot start function "${name}": ${detail}; ${known}`, {
    cause,
  });
}

/** Imports `functions/<name>/mod.ts` and checks its default export. */
export async function importFunction(
  name: string,
  dir: URL = FUNCTIONS_DIR,
): Promise<PipelineFunction> {
  if (!NAME.test(name)) throw notFound(name, "not a function name", dir);
  const url = new URL(`${name}/mod.ts`, dir);
  let module: { default?: unknown };
  try {
    module = await import(url.href);
  } catch (error) {
    const missing = error instanceof TypeError && /Module not found/.test(String(error.message));
    if (!missing) throw error;
    throw notFound(name, `there is no functions/${name}/mod.ts`, dir, error);
  }
  const definition = module.default as Partial<PipelineFunction> | undefined;
  if (definition?.kind !== "consumer" && definition?.kind !== "tick") {
    throw notFound(
      name,
      `functions/${name}/mod.ts exports no defineConsumer() or defineTicker() as default`,
      dir,
    );
  }
  return definition as PipelineFunction;
}

/** The environment variables a function's settings read. */
export function functionVariables(definition: PipelineFunction): string[] {
  return settingVariables(definition.settings ?? {});
}

/** Configures an imported function from the environment; throws `ConfigError` on a bad value. */
export function configureFunction(
  name: string,
  definition: PipelineFunction,
  env: Env,
): LoadedFunction {
  return Object.freeze({
    name,
    definition,
    settings: readSettings(definition.settings ?? {}, env),
  });
}

/** Imports and configures a function in one step. */
export async function loadFunction(name: string, env: Env): Promise<LoadedFunction> {
  return configureFunction(name, await importFunction(name), env);
}
