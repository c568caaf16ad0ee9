/**
 * What machine a result comes from: cores, CPU model, memory.
 *
 * @module
 */
import { availableParallelism, cpus, totalmem } from "node:os";

/** The machine a bench ran on. */
export interface MachineInfo {
  readonly nproc: number;
  /** `model name` of /proc/cpuinfo. */
  readonly cpuModel: string;
  readonly memGiB: number;
}

/** Reads the machine's cores, CPU model and memory. */
export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memGiB: Math.round(totalmem() / 1024 ** 3),
  };
}
