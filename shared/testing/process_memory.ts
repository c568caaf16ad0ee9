/**
 * Resident memory of a running process, read from `/proc/<pid>/status`, for
 * tests and the bench that measure a function's memory.
 *
 * @module
 */

/** Resident memory of a process, in bytes. */
export interface ProcessMemory {
  /** `VmRSS`: resident now. */
  readonly rssBytes: number;
  /** `VmHWM`: the peak resident size so far. */
  readonly peakBytes: number;
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

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (match === null) throw new SyntaxError(`Cannot find "${field}" in /proc status`);
  return Number(match[1]);
}
