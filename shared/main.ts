/**
 * Entry point of one function as a long-lived service:
 * `deno run -P=<name> shared/main.ts <name>` (what `deno task start <name>`
 * and each container run). Exits 0 after SIGTERM/SIGINT, 1 when the broker
 * connection is lost for good (so the orchestrator restarts it), 2 on a bad
 * start (unknown function, bad configuration).
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { type Config, CONFIG_VARIABLES, type Env, loadConfig } from "./runtime/config.ts";
import { createTransport } from "./runtime/create_transport.ts";
import type { PipelineFunction } from "./define_function.ts";
import { ConfigError } from "./errors.ts";
import { FUNCTION_NAMES, isFunctionName } from "./runtime/function_command.ts";
import { createLogger } from "./logger.ts";
import { type FunctionRunner, runFunction } from "./runtime/run_function.ts";

/** Reads only the variables this process may read, so a permission set can be narrow. */
export function readPermittedEnv(variables: readonly string[]): Env {
  const env: Record<string, string | undefined> = {};
  for (const variable of variables) {
    if (Deno.permissions.querySync({ name: "env", variable }).state === "granted") {
      env[variable] = Deno.env.get(variable);
    }
  }
  return env;
}

async function main(name: string | undefined): Promise<number> {
  if (name === undefined || !isFunctionName(name)) {
    console.error(
      `Cannot start function "${name ?? ""}": expected one of ${FUNCTION_NAMES.join(", ")}`,
    );
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(readPermittedEnv(CONFIG_VARIABLES));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Cannot start "${name}": ${error.message}`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(name, { level: config.logLevel });
  const fn: PipelineFunction = (await import(`../functions/${name}/mod.ts`)).default;
  let runner: FunctionRunner;
  try {
    runner = await runFunction(fn, config, {
      logger,
      connect: (events) => createTransport(config, logger, events),
    });
  } catch (error) {
    // No broker after the first attempts, or a setup that failed (a missing
    // model.json, an unwritable LOGS_DIR): exit so the orchestrator restarts it.
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

if (import.meta.main) Deno.exit(await main(Deno.args[0]));
