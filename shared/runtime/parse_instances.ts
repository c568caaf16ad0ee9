/**
 * Extra deployments of a function for `deno task dev`, from its command line:
 * `--instance <group>=<function> VAR=value ...`. Each `--instance` starts
 * one; the `VAR=value` words after it are its own environment, over the
 * shared one, and its consumer group is `<group>` (`CONSUMER_GROUP`). The
 * platform knows no function: which instances run is the application's
 * choice, written in its `dev` task.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** One extra deployment of a function. */
export interface Instance {
  /** Its consumer group, also its name in logs. */
  readonly group: string;
  /** The function it runs: a folder of `functions/`. */
  readonly function: string;
  /** Its own environment variables, `CONSUMER_GROUP` among them. */
  readonly env: Readonly<Record<string, string>>;
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const VARIABLE = /^[A-Z][A-Z0-9_]*$/;

function invalid(message: string): ConfigError {
  return new ConfigError("--instance", `Invalid --instance: ${message}`);
}

/**
 * Parses `--instance <group>=<function> VAR=value ...` words. Throws a
 * `ConfigError` naming the word at fault; a group may appear once.
 */
export function parseInstances(args: readonly string[]): Instance[] {
  const instances: { group: string; function: string; env: Record<string, string> }[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--instance") {
      const spec = args[++i];
      const [group, fn, ...rest] = (spec ?? "").split("=");
      if (spec === undefined || rest.length > 0 || !NAME.test(group!) || !NAME.test(fn ?? "")) {
        throw invalid(`expected <group>=<function> after --instance, got "${spec ?? ""}"`);
      }
      if (instances.some((instance) => instance.group === group)) {
        throw invalid(`the group "${group}" is given twice`);
      }
      instances.push({ group: group!, function: fn!, env: { CONSUMER_GROUP: group! } });
      continue;
    }
    const equals = word.indexOf("=");
    const variable = word.slice(0, equals);
    const instance = instances.at(-1);
    if (equals < 1 || !VARIABLE.test(variable) || instance === undefined) {
      throw invalid(`expected --instance or VAR=value after an --instance, got "${word}"`);
    }
    if (variable === "CONSUMER_GROUP") {
      throw invalid(`"${word}": the group is the name before "=" in --instance`);
    }
    instance.env[variable] = word.slice(equals + 1);
  }
  return instances;
}
