/**
 * Tries a list of operations under whatever permissions this process was given and prints one
 * JSON line per operation: `{"check": "...", "outcome": "ok" | <error name>, "detail": ...}`.
 * permissions_test.ts runs it under each function's sandbox flags (`sandboxFlags()`) to show
 * what each function may do and what it may not.
 *
 * Checks: `read:<path>`, `write:<path>` (writes then removes), `connect:<host>:<port>`,
 * `env:<name>`, `query:<name>[:<target>]` (reports the state, touches nothing).
 *
 * @module
 */
// deno-lint-ignore-file no-console

/** What one check did. */
export interface ProbeResult {
  readonly check: string;
  /** "ok", or the name of the error thrown (e.g. "NotCapable"). */
  readonly outcome: string;
  readonly detail?: string | number;
}

type Query = Deno.PermissionDescriptor;

function descriptor(name: string, target: string | undefined): Query {
  switch (name) {
    case "read":
    case "write":
    case "ffi":
      return target === undefined ? { name } : { name, path: target };
    case "net":
      return target === undefined ? { name } : { name, host: target };
    case "env":
      return target === undefined ? { name } : { name, variable: target };
    case "run":
      return target === undefined ? { name } : { name, command: target };
    case "sys":
      return { name };
    default:
      throw new RangeError(`Cannot query permission "${name}": unknown name`);
  }
}

async function run(check: string): Promise<string | number> {
  const [action = "", ...rest] = check.split(":");
  const arg = rest.join(":");
  switch (action) {
    case "read":
      return (await Deno.readFile(arg)).length;
    case "write":
      await Deno.writeTextFile(arg, "probe\n", { createNew: true });
      await Deno.remove(arg);
      return "written and removed";
    case "connect": {
      const colon = arg.lastIndexOf(":");
      const conn = await Deno.connect({
        hostname: arg.slice(0, colon),
        port: Number(arg.slice(colon + 1)),
      });
      conn.close();
      return "connected";
    }
    case "env":
      return Deno.env.get(arg) === undefined ? "unset" : "set";
    case "query":
      return (await Deno.permissions.query(
        descriptor(rest[0] ?? "", rest.slice(1).join(":") || undefined),
      )).state;
    default:
      throw new RangeError(`Cannot run check "${check}": unknown action "${action}"`);
  }
}

/** Runs each check in order; a failure is reported, never thrown. */
export async function probe(checks: readonly string[]): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const check of checks) {
    try {
      results.push({ check, outcome: "ok", detail: await run(check) });
    } catch (error) {
      const name = error instanceof Error ? error.name : typeof error;
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ check, outcome: name, detail });
    }
  }
  return results;
}

if (import.meta.main) {
  for (const result of await probe(Deno.args)) console.log(JSON.stringify(result));
}
