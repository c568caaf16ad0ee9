/**
 * A function's sandbox as Deno permission flags, computed from what it
 * declares beside its code (`sandbox`, `settings`, its streams) and from the
 * resolved configuration: a directory setting pointed elsewhere moves its
 * permission with it, and everything else stays denied.
 *
 * Deno's permission sets in deno.json are static, so they cannot follow
 * `LOGS_DIR=/elsewhere`; the flags are therefore computed at start.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PipelineFunction } from "../define_function.ts";
import type { Config } from "./config.ts";
import { CONFIG_VARIABLES } from "./config.ts";
import { FUNCTIONS_DIR, functionVariables, type LoadedFunction } from "./load_function.ts";

/** The project's root folder: the parent of `functions/` and `shared/`. */
export const PROJECT_ROOT: string = dirname(fileURLToPath(FUNCTIONS_DIR));

/** The folder of an npm package's file or folder, `pkg/sub/path` or `@scope/pkg/sub/path`. */
export function packagePath(specifier: string, root: string = PROJECT_ROOT): string {
  const parts = specifier.split("/");
  const size = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, size).join("/");
  const rest = parts.slice(size);
  // Direct dependencies are linked at node_modules/<name>; the rest under .deno.
  for (
    const base of [join(root, "node_modules"), join(root, "node_modules", ".deno", "node_modules")]
  ) {
    try {
      return join(Deno.realPathSync(join(base, name)), ...rest);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Deno.errors.NotFound(`Cannot find npm package "${name}" under ${root}/node_modules`);
}

function hostOf(host: string, port: number | undefined): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return port === undefined || port === 0 ? bracketed : `${bracketed}:${port}`;
}

/** The hosts the function may reach: its HTTP listener and, when it uses one, the broker. */
function netHosts(fn: PipelineFunction, config: Config): string[] {
  const hosts = [hostOf(config.httpHost, config.httpPort)];
  const usesBroker = fn.kind === "consumer" || fn.publishes.length > 0;
  // Every broker of the list: the runtime moves to the next one on a loss.
  for (const raw of usesBroker ? config.amqpUrls ?? [] : []) {
    const url = new URL(raw);
    const port = url.port === "" ? (url.protocol === "amqps:" ? 5671 : 5672) : Number(url.port);
    hosts.push(hostOf(url.hostname, port));
  }
  return hosts;
}

/** The application's own shared modules (`functions/_*.ts`), which every function may import. */
function applicationModules(root: string): string[] {
  const dir = join(root, "functions");
  return [...Deno.readDirSync(dir)]
    .filter((entry) => entry.isFile && entry.name.startsWith("_") && entry.name.endsWith(".ts"))
    .map((entry) => join(dir, entry.name))
    .sort();
}

/** Options of {@linkcode sandboxFlags}. */
export interface SandboxFlagsOptions {
  /** The project's root. @default PROJECT_ROOT */
  root?: string;
  /** The working directory relative directory settings are resolved against. @default Deno.cwd() */
  cwd?: string;
}

/** The `--allow-*` flags of a function's sandbox. */
export function sandboxFlags(
  fn: LoadedFunction,
  config: Config,
  options: SandboxFlagsOptions = {},
): string[] {
  const root = options.root ?? PROJECT_ROOT;
  const cwd = options.cwd ?? Deno.cwd();
  const { definition, settings, name } = fn;
  const sandbox = definition.sandbox ?? {};
  const dir = (key: string) => resolve(cwd, String(settings[key]));
  const writes = (sandbox.writeDirs ?? []).map(dir);
  const reads = [
    join(root, "shared"),
    join(root, "functions", name),
    ...applicationModules(root),
    ...(sandbox.readDirs ?? []).map(dir),
    ...writes,
    ...(sandbox.readPackages ?? []).map((pkg) => packagePath(pkg, root)),
    ...(sandbox.readFiles ?? []),
  ];
  const ffi = (sandbox.ffiPackages ?? []).map((pkg) => packagePath(pkg, root));
  const flags = [
    `--allow-read=${[...new Set(reads)].join(",")}`,
    `--allow-net=${[...new Set(netHosts(definition, config))].join(",")}`,
    `--allow-env=${
      [...CONFIG_VARIABLES, ...functionVariables(definition), ...(sandbox.env ?? [])].join(",")
    }`,
  ];
  if (writes.length > 0) flags.push(`--allow-write=${[...new Set(writes)].join(",")}`);
  if (ffi.length > 0) flags.push(`--allow-ffi=${ffi.join(",")}`);
  return flags;
}
