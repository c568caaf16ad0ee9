/**
 * The one command that starts a function as a service, in its sandbox:
 * `deno task start <name>`, `deno task dev`, the containers and the tests all
 * run exactly this.
 *
 * @module
 */
import { join } from "node:path";
import type { Env } from "../settings.ts";
import { loadConfig } from "./config.ts";
import { loadFunction } from "./load_function.ts";
import { PROJECT_ROOT, sandboxFlags, type SandboxFlagsOptions } from "./sandbox_flags.ts";

/**
 * The arguments after `deno` that run the function `name` as a service with
 * the environment `env`. Throws `ConfigError` on a bad setting and
 * `FunctionNotFoundError` on an unknown name, as the start itself would.
 */
export async function functionCommand(
  name: string,
  env: Env,
  options: SandboxFlagsOptions = {},
): Promise<string[]> {
  const root = options.root ?? PROJECT_ROOT;
  const fn = await loadFunction(name, env);
  return [
    "run",
    "--frozen",
    "--no-prompt",
    `--config=${join(root, "deno.json")}`,
    ...sandboxFlags(fn, loadConfig(env), options),
    join(root, "shared", "main.ts"),
    name,
  ];
}

/** Quotes words for a POSIX shell. */
export function shellQuote(words: readonly string[]): string {
  return words.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
}
