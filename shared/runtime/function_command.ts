/**
 * The functions of the pipeline and the one command that starts each of them:
 * `deno task start <name>`, `deno task dev`, the containers and the tests all
 * run exactly this, with the permission set named after the function.
 *
 * @module
 */

/** The functions in `functions/`, in pipeline order. */
export const FUNCTION_NAMES = ["features", "model", "metrics", "plot"] as const;

/** One of the pipeline's function names. */
export type FunctionName = typeof FUNCTION_NAMES[number];

/** True when `name` is one of {@linkcode FUNCTION_NAMES}. */
export function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}

/** The arguments after `deno` that run one function as a service. */
export function functionCommand(name: FunctionName): string[] {
  return ["run", "--frozen", `-P=${name}`, "shared/main.ts", name];
}
