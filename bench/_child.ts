/**
 * The pipeline's functions as the bench's child processes (the tests' own
 * `spawnFunction`), and what the bench reads of them: memory from `/proc`
 * (shared/testing/process_memory.ts), log times.
 *
 * @module
 */
import {
  type FunctionProcess,
  type LogRecord,
  spawnFunction,
  type SpawnFunctionOptions,
} from "../shared/testing/function_process.ts";

export type { LogRecord };
export { type ProcessMemory, readProcessMemory } from "../shared/testing/process_memory.ts";

/** A function running as a child process of the bench. */
export type Child = FunctionProcess;

/** Starts a function as the containers do; `env` adds to this process's environment. */
export function spawnChild(
  name: string,
  env: Record<string, string>,
  options: SpawnFunctionOptions = {},
): Promise<Child> {
  return spawnFunction(name, env, options);
}

/** Stops every child at once; never rejects. */
export async function stopAll(children: readonly Child[]): Promise<void> {
  await Promise.allSettled(children.map((child) => child.stop()));
}

/**
 * CPU seconds (user + system) a running process has used, from `/proc/<pid>/stat`
 * (fields 14 and 15, in clock ticks of `getconf CLK_TCK`).
 */
export async function readCpuSeconds(pid: number): Promise<number> {
  const stat = await readText("cat", [`/proc/${pid}/stat`], `the CPU time of process ${pid}`);
  // The command name (field 2) may hold spaces; the fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  clockTicks ??= Number(await readText("getconf", ["CLK_TCK"], "the clock tick"));
  if (!Number.isFinite(ticks) || !(clockTicks > 0)) {
    throw new SyntaxError(`Cannot parse the CPU time of process ${pid}`);
  }
  return ticks / clockTicks;
}

let clockTicks: number | undefined;

async function readText(command: string, args: string[], what: string): Promise<string> {
  const { success, stdout } = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`Cannot read ${what}`);
  return new TextDecoder().decode(stdout);
}

/** The time of a log record in ms since the epoch. */
export function logTime(record: LogRecord): number {
  const time = Date.parse(String(record.time));
  if (Number.isNaN(time)) throw new SyntaxError(`Cannot parse log time "${record.time}"`);
  return time;
}
