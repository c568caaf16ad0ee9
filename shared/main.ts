/**
 * Entry point of one function as a long-lived service:
 * `deno run -P=<name> shared/main.ts <name>` (what `deno task start <name>`
 * and each container run). The function is `functions/<name>/mod.ts`. Exits 0
 * after SIGTERM/SIGINT, 1 when the broker connection is lost for good (so the
 * orchestrator restarts it), 2 on a bad start (unknown function, bad
 * configuration).
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { CONFIG_VARIABLES, loadConfig } from "./runtime/config.ts";
import { createTransport } from "./runtime/create_transport.ts";
import { PipelineError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { readPermittedEnv } from "./runtime/read_permitted_env.ts";
import {
  configureFunction,
  functionVariables,
  importFunction,
  type LoadedFunction,
} from "./runtime/load_function.ts";
import { type Config } from "./runtime/config.ts";
import { type FunctionRunner, runFunction } from "./runtime/run_function.ts";

/** Finds and configures the function, or says in one line why it cannot. */
async function prepare(name: string): Promise<[LoadedFunction, Config] | string> {
  try {
    const definition = await importFunction(name);
    const env = readPermittedEnv([...CONFIG_VARIABLES, ...functionVariables(definition)]);
    return [configureFunction(name, definition, env), loadConfig(env)];
  } catch (error) {
    const known = error instanceof PipelineError &&
      (error.code === "CONFIG_INVALID" || error.code === "FUNCTION_NOT_FOUND");
    if (!known) throw error;
    return error.code === "FUNCTION_NOT_FOUND"
      ? error.message
      : `Cannot start "${name}": ${error.message}`;
  }
}

async function main(name: string): Promise<number> {
  const prepared = await prepare(name);
  if (typeof prepared === "string") {
    console.error(prepared);
    return 2;
  }
  const [fn, config] = prepared;
  const logger = createLogger(name, { level: config.logLevel });
  let runner: FunctionRunner;
  try {
    runner = await runFunction(fn, config, {
      logger,
      connect: (events, streams) => createTransport(config, { logger, events, streams }),
    });
  } catch (error) {
    // No broker after the first attempts, or a setup that failed (a missing data
    // file, an unwritable directory): exit so the orchestrator restarts it.
    logger.error("function could not start", { error });
    return 1;
  }
  const stop = () => void runner.close();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  try {
    await runner.done;
    return 0;
  } catch {
    await runner.close();
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args[0] ?? ""));
