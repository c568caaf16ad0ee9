/**
 * Reads the environment variables a process may read, so that a permission
 * set can be narrow: a variable outside it counts as unset instead of failing.
 *
 * @module
 */
import type { Env } from "../settings.ts";

/** Reads only the variables this process may read. */
export function readPermittedEnv(variables: readonly string[]): Env {
  const env: Record<string, string | undefined> = {};
  for (const variable of variables) {
    if (Deno.permissions.querySync({ name: "env", variable }).state === "granted") {
      env[variable] = Deno.env.get(variable);
    }
  }
  return env;
}
