/**
 * Prints the shell command that starts one function in its sandbox, for
 * `deno task start <name>` and the containers, which run it with
 * `eval "exec $(…)"` so that the function's process replaces the shell.
 * A bad start (unknown function, bad setting) prints one line and exits 2.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { PipelineError } from "./errors.ts";
import { functionCommand, shellQuote } from "./runtime/function_command.ts";

async function main(name: string): Promise<number> {
  try {
    const args = await functionCommand(name, Deno.env.toObject());
    console.log(shellQuote([Deno.execPath(), ...args]));
    return 0;
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    console.error(
      error.code === "FUNCTION_NOT_FOUND"
        ? error.message
        : `Cannot start "${name}": ${error.message}`,
    );
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args[0] ?? ""));
