/**
 * A pipeline function run by the bench as its own process, with the exact
 * command a container runs, plus what the bench needs around it: extra Deno
 * flags (the inspector, for CPU profiles), memory from `/proc`, and a stop
 * that always ends the process (SIGTERM, then SIGKILL by PID).
 *
 * Not `shared/testing/function_process.ts`: that one cannot add Deno flags.
 *
 * @module
 */
import { delay } from "../shared/backoff.ts";
import { functionCommand, type FunctionName } from "../shared/function_command.ts";

/** One parsed JSON log line of a child. */
export type LogRecord = Record<string, unknown> & { event?: string; time?: string };

/** Resident memory of a process, in bytes. */
export interface ProcessMemory {
  /** `VmRSS`: resident now. */
  readonly rssBytes: number;
  /** `VmHWM`: the peak resident size so far. */
  readonly peakBytes: number;
}

/** A function running as a child process of the bench. */
export interface Child {
  readonly name: FunctionName;
  readonly pid: number;
  /** Parsed JSON log lines so far. */
  readonly logs: LogRecord[];
  /** Lines that were not JSON (stderr, the inspector's banner). */
  readonly otherOutput: string[];
  /** Resolves with the exit code once the process ended and its output was read. */
  readonly exited: Promise<number>;
  /** Resolves with the first log record matching `match`; rejects if the child exits first. */
  waitForLog(
    what: string,
    match: (r: LogRecord) => boolean,
    timeoutMs?: number,
  ): Promise<LogRecord>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. Safe to call twice. */
  stop(graceMs?: number): Promise<number>;
}

/** Options of {@linkcode spawnChild}. */
export interface SpawnChildOptions {
  /** Deno flags put before the function's own, e.g. `--inspect=127.0.0.1:9231`. @default [] */
  denoFlags?: string[];
}

/** Starts a function; `env` adds to this process's environment. */
export function spawnChild(
  name: FunctionName,
  env: Record<string, string>,
  options: SpawnChildOptions = {},
): Child {
  const [run, ...rest] = functionCommand(name);
  const child = new Deno.Command(Deno.execPath(), {
    args: [run!, ...(options.denoFlags ?? []), ...rest],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: LogRecord[] = [];
  const otherOutput: string[] = [];
  const onLine = (line: string) => {
    if (line.startsWith("{")) {
      try {
        logs.push(JSON.parse(line));
        return;
      } catch { /* not JSON after all */ }
    }
    if (line.trim() !== "") otherOutput.push(line);
  };
  const reading = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)]);
  const exited = Promise.all([child.status, reading]).then(([status]) => status.code);
  let ended = false;
  exited.finally(() => ended = true);
  const signal = (sig: Deno.Signal) => {
    if (ended) return;
    try {
      Deno.kill(child.pid, sig);
    } catch { /* it ended meanwhile */ }
  };
  let stopping: Promise<number> | undefined;
  return {
    name,
    pid: child.pid,
    logs,
    otherOutput,
    exited,
    async waitForLog(what, match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.find(match);
        if (found !== undefined) return found;
        if (ended) {
          throw new Error(
            `${name} exited while the bench waited for ${what}: ${tail(otherOutput)}`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(`Timed out after ${timeoutMs} ms waiting for ${name}: ${what}`);
        }
        await delay(10);
      }
    },
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        signal("SIGTERM");
        const timer = new AbortController();
        const late = delay(graceMs, timer.signal).then(() => true, () => false);
        if (await Promise.race([exited.then(() => false), late])) signal("SIGKILL");
        timer.abort();
        return await exited;
      })();
      return stopping;
    },
  };
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

function tail(lines: readonly string[]): string {
  return lines.slice(-10).join("\n");
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    lines.forEach(onLine);
  }
  if (rest !== "") onLine(rest);
}
