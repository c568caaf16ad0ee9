/**
 * `deno task dev`: every function of `functions/` on one machine.
 *
 * Without `AMQP_URL`, they run in this one process on the embedded broker:
 * only Deno is needed. With `AMQP_URL`, each runs as its own process, exactly
 * as a container would, its log lines prefixed with its name. Either way a
 * function that fails to start or dies is logged and started again with
 * backoff; it never takes the others down.
 *
 * Extra deployments of a function come from the command line,
 * `--instance <group>=<function> VAR=value ...` (see
 * {@linkcode parseInstances}): each runs beside the others, in its own
 * runner or process, with its own variables and consumer group.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { backoffDelay, delay } from "./runtime/backoff.ts";
import { type Config, CONFIG_VARIABLES, loadConfig } from "./runtime/config.ts";
import { ConfigError, PipelineError } from "./errors.ts";
import type { Env } from "./settings.ts";
import { functionCommand } from "./runtime/function_command.ts";
import { createLogger } from "./logger.ts";
import { MemoryBroker } from "./memory/memory_broker.ts";
import { createMemoryTransport } from "./memory/memory_transport.ts";
import { readPermittedEnv } from "./runtime/read_permitted_env.ts";
import {
  configureFunction,
  functionVariables,
  importFunction,
  listFunctions,
  type LoadedFunction,
} from "./runtime/load_function.ts";
import { runFunction } from "./runtime/run_function.ts";
import { type Instance, parseInstances } from "./runtime/parse_instances.ts";

/** One deployment: a function, and the variables it runs with over the shared ones. */
interface Deployment {
  /** The function's name, or an instance's group: its name in logs. */
  readonly label: string;
  readonly fn: LoadedFunction;
  readonly env: Readonly<Record<string, string>>;
}

/** Restarts after the n-th failure in a row wait this long. */
function restartDelay(failures: number): number {
  return backoffDelay(Math.min(failures, 6), { initialMs: 500, maxMs: 10_000 });
}

/** Runs one function in this process until `stop`, starting it again whenever it fails. */
async function keepRunning(
  { label, fn }: Deployment,
  config: Config,
  broker: MemoryBroker,
  stop: AbortSignal,
  started: () => void,
): Promise<void> {
  const logger = createLogger(label, { level: config.logLevel });
  for (let failures = 1; !stop.aborted; failures++) {
    try {
      const runner = await runFunction(fn, config, {
        logger,
        connect: (events) => createMemoryTransport(broker, { events }),
      });
      started();
      // Stopped while it was starting: an aborted signal fires no more "abort".
      if (stop.aborted) return await runner.close();
      const stopped = new Promise<void>((done) => {
        stop.addEventListener("abort", () => done(runner.close()), { once: true });
      });
      await Promise.race([runner.done, stopped]);
      if (stop.aborted) return await runner.close();
      failures = 0;
    } catch (error) {
      if (stop.aborted) return;
      const wait = restartDelay(failures);
      logger.error("function failed, restarting", { error, restartInMs: wait });
      await delay(wait, stop).catch(() => {});
    }
  }
}

async function supervise(
  { label: name, fn, env: own }: Deployment,
  port: number,
  stop: AbortSignal,
  started: () => void,
): Promise<void> {
  const env = { ...own, HTTP_PORT: String(port) };
  const args = await functionCommand(fn.name, { ...Deno.env.toObject(), ...env });
  for (let failures = 1; !stop.aborted; failures++) {
    const child = new Deno.Command(Deno.execPath(), {
      args,
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const kill = () => child.kill("SIGTERM");
    // Stopped while spawning: an aborted signal fires no more "abort".
    if (stop.aborted) kill();
    stop.addEventListener("abort", kill, { once: true });
    await Promise.all([prefix(name, child.stdout, started), prefix(name, child.stderr)]);
    const status = await child.status;
    stop.removeEventListener("abort", kill);
    if (stop.aborted) return;
    const wait = restartDelay(failures);
    console.error(`[${name}] exited with code ${status.code}; restarting in ${wait} ms`);
    await delay(wait, stop).catch(() => {});
  }
}

async function prefix(
  name: string,
  stream: ReadableStream<Uint8Array>,
  started?: () => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (started !== undefined && line.includes('"event":"function started"')) started();
      console.log(`[${name}] ${line}`);
    }
  }
  if (rest !== "") console.log(`[${name}] ${rest}`);
}

/**
 * Every function once, in its own group, then each instance; configured from
 * the environment (an instance's own variables over it); throws on a bad value.
 */
async function loadAll(instances: readonly Instance[]): Promise<Deployment[]> {
  const deployments: Deployment[] = [];
  // Each function's group is its name here, whatever CONSUMER_GROUP the shell has.
  for (const name of listFunctions()) {
    deployments.push(await deploy(name, name, { CONSUMER_GROUP: "" }));
  }
  for (const instance of instances) {
    if (deployments.some((d) => d.label === instance.group)) {
      throw new ConfigError(
        "--instance",
        `Invalid --instance: the group "${instance.group}" is a function's own`,
      );
    }
    deployments.push(await deploy(instance.group, instance.function, instance.env));
  }
  return deployments;
}

async function deploy(
  label: string,
  name: string,
  env: Readonly<Record<string, string>>,
): Promise<Deployment> {
  const definition = await importFunction(name);
  const fn = configureFunction(name, definition, {
    ...readPermittedEnv(functionVariables(definition)),
    ...env,
  });
  return { label, fn, env };
}

function describe(
  deployments: Deployment[],
  config: Config,
  port: (i: number) => number,
): string {
  const lines = deployments.map(({ label, fn }, index) => {
    const base = `http://127.0.0.1:${port(index)}`;
    const page = fn.definition.routes === undefined ? "" : `  page ${base}/`;
    const runs = label === fn.name ? "" : `  (${fn.name})`;
    return `  ${label.padEnd(12)} ${base}/healthz${page}${runs}`;
  });
  return `Pipeline starting on ${config.amqpUrls ? "RabbitMQ" : "the embedded broker"}:\n` +
    `${lines.join("\n")}\nPress Ctrl-C to stop.`;
}

async function main(args: readonly string[]): Promise<number> {
  let runtimeEnv: Env;
  let config: Config;
  let deployments: Deployment[];
  let configs: Config[];
  try {
    runtimeEnv = readPermittedEnv(CONFIG_VARIABLES);
    config = loadConfig(runtimeEnv);
    deployments = await loadAll(parseInstances(args));
    // An instance's own runtime variables (CONSUMER_GROUP, PREFETCH, ...) checked now.
    configs = deployments.map(({ env }) => loadConfig({ ...runtimeEnv, ...env }));
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    console.error(`Cannot start the pipeline: ${error.message}`);
    return 2;
  }
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stop.abort());
  }
  const port = (index: number) => config.httpPort === 0 ? 0 : config.httpPort + index;
  console.error(describe(deployments, config, port));
  const broker = new MemoryBroker();
  const run = (deployment: Deployment, started: () => void) => {
    const index = deployments.indexOf(deployment);
    return config.amqpUrls === undefined
      ? keepRunning(
        deployment,
        { ...configs[index]!, httpPort: port(index) },
        broker,
        stop.signal,
        started,
      )
      : supervise(deployment, port(index), stop.signal, started);
  };
  await consumersFirst(deployments, run, stop.signal);
  return 0;
}

/**
 * Starts the consumers, waits until each has started (its queues exist, so it
 * misses nothing published to its streams; at most 30 s), then the others.
 */
async function consumersFirst(
  deployments: readonly Deployment[],
  run: (deployment: Deployment, started: () => void) => Promise<void>,
  stop: AbortSignal,
): Promise<void> {
  const consumers = deployments.filter(({ fn }) => fn.definition.kind === "consumer");
  const running: Promise<void>[] = [];
  const started = consumers.map((deployment) =>
    new Promise<void>((resolve) => running.push(run(deployment, resolve)))
  );
  const waited = await Promise.race([
    Promise.all(started).then(() => true),
    delay(30_000, stop).then(() => false, () => true),
  ]);
  if (!waited) console.error("Some consumers have not started after 30 s; starting the rest");
  for (const deployment of deployments.filter((d) => !consumers.includes(d))) {
    running.push(run(deployment, () => {}));
  }
  await Promise.all(running);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
