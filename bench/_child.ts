/**
 * The pipeline's functions as the bench's child processes (the tests' own
 * `spawnFunction`), and what the bench reads of them: memory from `/proc`,
 * log times.
 *
 * @module
 */
import type { FunctionName } from "../shared/runtime/function_command.ts";
import {
  type FunctionProcess,
  type LogRecord,
  spawnFunction,
  type SpawnFunctionOptions,
} from "../shared/testing/function_process.ts";

export type { LogRecord };

/** A function running as a child process of the bench. */
export type Child = FunctionProcess;

/** Resident memory of a process, in bytes. */
export interface ProcessMemory {
  /** `VmRSS`: resident now. */
  readonly rssBytes: number;
  /** `VmHWM`: the peak resident size so far. */
  readonly peakBytes: number;
}

/** Starts a function as the containers do; `env` adds to this process's environment. */
export function spawnChild(
  name: FunctionName,
  env: Record<string, string>,
  options: SpawnFunctionOptions = {},
): Child {
  return spawnFunction(name, env, options);
}

/** Stops every child at once; never rejects. */
export async function stopAll(children: readonly Child[]): Promise<void> {
  await Promise.allSettled(children.map((child) => child.stop()));
}

/** Reads `VmRSS` and `VmHWM` of a running process from `/proc/<pid>/status`. */
export async function readProcessMemory(pid: number): Promise<ProcessMemory> {
  // Through `cat`: Deno lets only --allow-all read /proc directly.
  const { success, stdout } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`Cannot read the memory of process ${pid}: it is gone`);
  const status = new TextDecoder().decode(stdout);
  return {
    rssBytes: statusKb(status, "VmRSS") * 1024,
    peakBytes: statusKb(status, "VmHWM") * 1024,
  };
}

/** The time of a log record in ms since the epoch. */
export function logTime(record: LogRecord): number {
  const time = Date.parse(String(record.time));
  if (Number.isNaN(time)) throw new SyntaxError(`Cannot parse log time "${record.time}"`);
  return time;
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (match === null) throw new SyntaxError(`Cannot find "${field}" in /proc status`);
  return Number(match[1]);
}
