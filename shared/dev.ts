/**
 * `deno task dev`: the whole pipeline on one machine.
 *
 * Without `AMQP_URL`, every function runs in this one process on the embedded
 * broker: only Deno is needed. With `AMQP_URL`, each function runs as its own
 * process, exactly as a container would, restarted when it dies, its log lines
 * prefixed with its name.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { resolve } from "node:path";
import { backoffDelay, delay } from "./runtime/backoff.ts";
import { type Config, CONFIG_VARIABLES, loadConfig } from "./runtime/config.ts";
import type { PipelineFunction } from "./define_function.ts";
import { ConfigError } from "./errors.ts";
import { FUNCTION_NAMES, functionCommand } from "./runtime/function_command.ts";
import { createLogger } from "./logger.ts";
import { MemoryBroker } from "./memory/memory_broker.ts";
import { createMemoryTransport } from "./memory/memory_transport.ts";
import { readPermittedEnv } from "./main.ts";
import { type FunctionRunner, runFunction } from "./runtime/run_function.ts";

async function inProcess(config: Config, stop: AbortSignal): Promise<void> {
  const broker = new MemoryBroker();
  const runners: FunctionRunner[] = [];
  for (const [index, name] of FUNCTION_NAMES.entries()) {
    const fn: PipelineFunction = (await import(`../functions/${name}/mod.ts`)).default;
    const own = { ...config, httpPort: config.httpPort === 0 ? 0 : config.httpPort + index };
    runners.push(
      await runFunction(fn, own, {
        logger: createLogger(name, { level: config.logLevel }),
        connect: (events) => createMemoryTransport(broker, { events }),
      }),
    );
  }
  await new Promise((done) => stop.addEventListener("abort", done, { once: true }));
  // The source stops first, so its consumers can still take what it sent.
  for (const runner of runners) await runner.close();
}

async function supervise(name: string, port: number, stop: AbortSignal): Promise<void> {
  for (let restarts = 0; !stop.aborted; restarts++) {
    const child = new Deno.Command(Deno.execPath(), {
      args: functionCommand(name as typeof FUNCTION_NAMES[number]),
      env: { HTTP_PORT: String(port) },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const kill = () => child.kill("SIGTERM");
    stop.addEventListener("abort", kill, { once: true });
    await Promise.all([prefix(name, child.stdout), prefix(name, child.stderr)]);
    const status = await child.status;
    stop.removeEventListener("abort", kill);
    if (stop.aborted) return;
    const wait = backoffDelay(Math.min(restarts + 1, 6), { initialMs: 500, maxMs: 10_000 });
    console.error(`[${name}] exited with code ${status.code}; restarting in ${wait} ms`);
    await delay(wait, stop).catch(() => {});
  }
}

async function prefix(name: string, stream: ReadableStream<Uint8Array>): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) console.log(`[${name}] ${line}`);
  }
  if (rest !== "") console.log(`[${name}] ${rest}`);
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(readPermittedEnv(CONFIG_VARIABLES));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Cannot start the pipeline: ${error.message}`);
    return 2;
  }
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stop.abort());
  }
  const logs = resolve(config.logsDir);
  console.error(
    `Pipeline starting on ${config.amqpUrl ? "RabbitMQ" : "the embedded broker"}.\n` +
      `  CSV:       ${logs}/metric_log.csv\n` +
      `  Histogram: ${logs}/error_distribution.png (redrawn every ${config.plot.intervalMs} ms)\n` +
      `  Health:    http://127.0.0.1:${config.httpPort}..${
        config.httpPort + FUNCTION_NAMES.length - 1
      }/healthz (${FUNCTION_NAMES.join(", ")})\n` +
      `Press Ctrl-C to stop.`,
  );
  if (config.amqpUrl === undefined) {
    await inProcess(config, stop.signal);
  } else {
    await Promise.all(
      FUNCTION_NAMES.map((name, index) => supervise(name, config.httpPort + index, stop.signal)),
    );
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
