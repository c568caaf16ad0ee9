/**
 * A private RabbitMQ node with some functions running on it as processes,
 * for bad_input_test.ts: started together, torn down together in `finally`.
 *
 * @module
 */
import { type FunctionProcess, spawnFunction } from "../../shared/testing/function_process.ts";
import { type RabbitNode, startRabbitNode } from "../../shared/testing/rabbit_node.ts";
import { RawBroker } from "./bad_input_broker.ts";

/** The running node, processes and a raw guest connection. */
export interface Stack {
  readonly node: RabbitNode;
  /** Under ./logs: the permission sets only allow writing there. */
  readonly logsDir: string;
  readonly broker: RawBroker;
  /** Each function's process. */
  process(name: string): FunctionProcess;
  /** Each function's HTTP port, from its "function started" log. */
  port(name: string): number;
}

/** Options of {@linkcode withStack}. */
export interface WithStackOptions {
  /** The AMQP_URL the functions get. @default the node's guest URL */
  amqpUrl?: (node: RabbitNode) => Promise<string>;
}

const ENV = {
  HTTP_HOST: "127.0.0.1",
  HTTP_PORT: "0",
  LOG_LEVEL: "debug",
  METRICS_ORPHAN_AFTER_MS: "300",
  MAX_ATTEMPTS: "2",
  MAX_MESSAGE_BYTES: "4096",
};

/** Starts a node and `names`, runs `body`, then stops and removes everything. */
export async function withStack(
  names: readonly string[],
  body: (stack: Stack) => Promise<void>,
  options: WithStackOptions = {},
): Promise<void> {
  const node = await startRabbitNode();
  const logsDir = `./logs/bad-input-${Deno.pid}-${Date.now()}`;
  const processes = new Map<string, FunctionProcess>();
  const ports = new Map<string, number>();
  let broker: RawBroker | undefined;
  try {
    const amqpUrl = await (options.amqpUrl ?? ((n) => Promise.resolve(n.url)))(node);
    for (const name of names) {
      processes.set(
        name,
        await spawnFunction(name, { ...ENV, AMQP_URL: amqpUrl, LOGS_DIR: logsDir }),
      );
    }
    for (const [name, process] of processes) {
      const started = await process.waitForLog("start", (r) => r.event === "function started");
      ports.set(name, Number(started.httpPort));
    }
    broker = await RawBroker.open(node.url);
    await body({
      node,
      logsDir,
      broker,
      process: (name) => processes.get(name)!,
      port: (name) => ports.get(name)!,
    });
  } finally {
    await stopAll([...processes.values()]);
    await broker?.close().catch(() => {});
    await node.close();
    await Deno.remove(logsDir, { recursive: true }).catch(() => {});
  }
}

/** SIGTERM, then SIGKILL whatever still runs after 10 s; waits for every exit. */
async function stopAll(processes: FunctionProcess[]): Promise<void> {
  processes.forEach((p) => p.kill("SIGTERM"));
  const timer = setTimeout(() => processes.forEach((p) => p.kill("SIGKILL")), 10_000);
  try {
    await Promise.all(processes.map((p) => p.exited));
  } finally {
    clearTimeout(timer);
  }
}

/** The body of `GET /metrics` of a function. */
export async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return await response.text();
}

/** The value of one sample in a `/metrics` text, `undefined` when absent. */
export function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Sends one raw HTTP/1.1 request and returns the status; raw so that a path
 * like `/metrics/../../etc/passwd` reaches the server as written (fetch would
 * resolve the dots first).
 */
export async function rawStatus(port: number, method: string, path: string): Promise<number> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
      `Content-Length: 0\r\n\r\n`;
    await connection.write(new TextEncoder().encode(request));
    const reply = new Uint8Array(64);
    let read = 0;
    while (read < 12) {
      const n = await connection.read(reply.subarray(read));
      if (n === null) break;
      read += n;
    }
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(new TextDecoder().decode(reply.subarray(0, read)));
    if (status === null) throw new SyntaxError(`Cannot read the status of ${method} ${path}`);
    return Number(status[1]);
  } finally {
    connection.close();
  }
}
