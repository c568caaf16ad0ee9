/**
 * Runs one function as its own process with the exact command a container
 * runs (`functionCommand()`: `shared/main.ts <name>` in the function's
 * sandbox), collecting its JSON log lines, for end-to-end and fault tests.
 *
 * @module
 */
import { delay } from "../runtime/backoff.ts";
import { functionCommand } from "../runtime/function_command.ts";
import { waitFor, type WaitForOptions } from "./wait_for.ts";

/** One parsed log line. */
export type LogRecord = Record<string, unknown> & { event?: string; level?: string };

/** A function running as a child process. */
export interface FunctionProcess {
  readonly name: string;
  readonly pid: number;
  /** Parsed JSON log lines so far (stdout). */
  readonly logs: LogRecord[];
  /** Lines that were not JSON (stderr and stray output). */
  readonly otherOutput: string[];
  /** Resolves with the exit code once the process ended and its output was read. */
  readonly exited: Promise<number>;
  /** Sends a signal; a process that already ended is left alone. */
  kill(signal: Deno.Signal): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. Safe to call twice. */
  stop(graceMs?: number): Promise<number>;
  /** Waits for a log record matching `match`. */
  waitForLog(
    what: string,
    match: (r: LogRecord) => boolean,
    options?: WaitForOptions,
  ): Promise<LogRecord>;
}

/** Options of {@linkcode spawnFunction}. */
export interface SpawnFunctionOptions {
  /** Deno flags put before the function's own, e.g. `--inspect=127.0.0.1:9231`. @default [] */
  denoFlags?: string[];
  /** Open files allowed (`ulimit -n`, through `sh`). @default the inherited limit */
  maxOpenFiles?: number;
}

/** Starts a function; the environment adds to (not replaces) this process's. */
export async function spawnFunction(
  name: string,
  env: Record<string, string>,
  options: SpawnFunctionOptions = {},
): Promise<FunctionProcess> {
  const [run, ...rest] = await functionCommand(name, { ...Deno.env.toObject(), ...env });
  const args = [run!, ...(options.denoFlags ?? []), ...rest];
  const limit = options.maxOpenFiles;
  const child = new Deno.Command(limit === undefined ? Deno.execPath() : "sh", {
    args: limit === undefined
      ? args
      : ["-c", `ulimit -n ${limit} && exec "$0" "$@"`, Deno.execPath(), ...args],
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
  const kill = (signal: Deno.Signal) => {
    if (ended) return;
    try {
      child.kill(signal);
    } catch { /* it ended meanwhile */ }
  };
  let stopping: Promise<number> | undefined;
  return {
    name,
    pid: child.pid,
    logs,
    otherOutput,
    exited,
    kill,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        kill("SIGTERM");
        const timer = new AbortController();
        const late = delay(graceMs, timer.signal).then(() => true, () => false);
        if (await Promise.race([exited.then(() => false), late])) kill("SIGKILL");
        timer.abort();
        return await exited;
      })();
      return stopping;
    },
    async waitForLog(what, match, options) {
      let found: LogRecord | undefined;
      await waitFor(`${name}: ${what}`, () => {
        found = logs.find(match);
        if (found === undefined && ended) {
          throw new Error(`${name} exited while waiting for ${what}: ${otherOutput.join("\n")}`);
        }
        return found !== undefined;
      }, options);
      return found!;
    },
  };
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
