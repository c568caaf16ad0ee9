/**
 * A private RabbitMQ node for tests that stop and restart the broker, started
 * from Debian's `rabbitmq-server` with its own node name, ports, data, logs
 * and config, so the system node on 5672 is never touched. Also lists the
 * queues and exchanges of any node, read-only.
 *
 * @module
 */

/** A running private node. */
export interface RabbitNode {
  /** `amqp://guest:guest@127.0.0.1:<port>`. */
  readonly url: string;
  /** The Erlang node name, `pipeline-test-<pid>-<n>@localhost`. */
  readonly nodeName: string;
  /** The AMQP port. */
  readonly port: number;
  /** Stops the node (`rabbitmqctl stop`, ~5 s), keeping its data: a start finds its durable queues. */
  stop(): Promise<void>;
  /** Starts the node stopped by {@linkcode RabbitNode.stop} on the same ports and data (~5 s). */
  start(): Promise<void>;
  /** Stops then starts. */
  restart(): Promise<void>;
  /**
   * Stops only the broker application (`rabbitmqctl stop_app`, under 1 s): every
   * connection drops and the port closes, data is kept, the Erlang VM stays up.
   */
  stopApp(): Promise<void>;
  /** Starts the application stopped by {@linkcode RabbitNode.stopApp} (~1 s). */
  startApp(): Promise<void>;
  /**
   * Kills the node with SIGKILL, by its PID, like a power cut: nothing is
   * flushed or confirmed on the way down. Its data stays; {@linkcode RabbitNode.start} recovers it.
   */
  kill(): Promise<void>;
  /**
   * Freezes the node with SIGSTOP, by its verified PID, like a hung host:
   * its sockets stay open and nothing answers, not even heartbeats.
   */
  freeze(): Promise<void>;
  /** Thaws a node frozen by {@linkcode RabbitNode.freeze} with SIGCONT. */
  thaw(): Promise<void>;
  /** Runs `rabbitmqctl -n <node> <args>` and returns its stdout. */
  ctl(...args: string[]): Promise<string>;
  /** Runs `rabbitmq-queues -n <node> <args>` (quorum queue tools) and returns its stdout. */
  queues(...args: string[]): Promise<string>;
  /** The PID of the node's Erlang VM, from its PID file. */
  pid(): Promise<number>;
  /** Kills the node (by its PID: its data is thrown away) and deletes its folder; may be called twice. */
  close(): Promise<void>;
}

/** Options of {@linkcode startRabbitNode}. */
export interface StartRabbitNodeOptions {
  /** Start of the node name. @default "pipeline-test" */
  namePrefix?: string;
  /** How long a start may take. @default 30000 */
  startTimeoutMs?: number;
  /**
   * Extra environment of the server, e.g. `RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS`
   * as the official image reads it. @default {}
   */
  env?: Record<string, string>;
  /**
   * A folder holding the `.erlang.cookie` the node and its `rabbitmqctl` calls
   * use, so nodes of one cluster share a cookie of their own.
   * @default the rabbitmq user's home, whose cookie the system node uses
   */
  cookieDir?: string;
}

/** One queue as `rabbitmqctl list_queues` shows it. */
export interface QueueInfo {
  readonly name: string;
  /** Ready plus unacknowledged messages. */
  readonly messages: number;
}

/** One exchange as `rabbitmqctl list_exchanges` shows it. */
export interface ExchangeInfo {
  readonly name: string;
  readonly type: string;
}

const SERVER = "/usr/sbin/rabbitmq-server";
const CTL = "/usr/sbin/rabbitmqctl";
const QUEUES = "/usr/sbin/rabbitmq-queues";
let started = 0;

/** Starts a private node (about 5 s) and waits until it takes connections. */
export async function startRabbitNode(options: StartRabbitNodeOptions = {}): Promise<RabbitNode> {
  await requireRabbitmq();
  const nodeName = `${options.namePrefix ?? "pipeline-test"}-${Deno.pid}-${++started}@localhost`;
  const [port, distPort] = await freePorts(2);
  const dir = await Deno.makeTempDir({ prefix: "rabbit-node-" });
  const env = {
    ...await writeNodeFiles(dir, nodeName, port!, distPort!, options.cookieDir),
    ...options.env,
  };
  // rabbitmqctl reads the node's env file too: the same cookie, the same interface.
  const ctlEnv = { RABBITMQ_CONF_ENV_FILE: env.RABBITMQ_CONF_ENV_FILE! };
  const ctl = (...args: string[]) => run(CTL, ["-n", nodeName, ...args], ctlEnv);
  const timeoutSeconds = String(Math.ceil((options.startTimeoutMs ?? 30_000) / 1000));
  const start = async () => {
    await run(SERVER, ["-detached"], env);
    // `wait <pid file>` returns once the rabbit application runs, unlike
    // await_startup, which fails if the node has not registered yet.
    await ctl("wait", `${dir}/pid`, "--timeout", timeoutSeconds);
  };
  const stop = () => ctl("stop", `${dir}/pid`).then(() => {});
  let closing: Promise<void> | undefined;
  try {
    await start();
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    nodeName,
    port: port!,
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
    stopApp: () => ctl("stop_app").then(() => {}),
    startApp: () => ctl("start_app").then(() => {}),
    kill: () => kill(`${dir}/pid`),
    freeze: () => signal(`${dir}/pid`, "SIGSTOP"),
    thaw: () => signal(`${dir}/pid`, "SIGCONT"),
    ctl,
    queues: (...args) => run(QUEUES, ["-n", nodeName, ...args], ctlEnv),
    pid: async () => Number((await Deno.readTextFile(`${dir}/pid`)).trim()),
    close: () => {
      closing ??= (async () => {
        try {
          // A graceful stop takes ~5 s, and the data is thrown away next anyway.
          await kill(`${dir}/pid`);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      })();
      return closing;
    },
  };
}

/** The queues of a node with their depths; read-only, also fine on `rabbit@localhost`. */
export async function listQueues(nodeName: string): Promise<QueueInfo[]> {
  await requireRabbitmq([CTL]);
  const out = await run(CTL, [
    "-n",
    nodeName,
    "-q",
    "list_queues",
    "name",
    "messages",
    "--formatter",
    "json",
  ]);
  return (JSON.parse(out) as { name: string; messages: number }[])
    .map(({ name, messages }) => ({ name, messages }));
}

/** The exchanges of a node; read-only, also fine on `rabbit@localhost`. */
export async function listExchanges(nodeName: string): Promise<ExchangeInfo[]> {
  await requireRabbitmq([CTL]);
  const out = await run(CTL, [
    "-n",
    nodeName,
    "-q",
    "list_exchanges",
    "name",
    "type",
    "--formatter",
    "json",
  ]);
  return (JSON.parse(out) as { name: string; type: string }[])
    .map(({ name, type }) => ({ name, type }));
}

/** RabbitMQ's binaries are not installed. */
export class RabbitmqMissingError extends Error {
  /** A stable code to branch on. */
  readonly code = "RABBITMQ_MISSING";
  override readonly name = "RabbitmqMissingError";
}

/**
 * Fails at once, with one line saying what to install, when RabbitMQ's server
 * binaries are missing (instead of a test timing out).
 */
export async function requireRabbitmq(paths: readonly string[] = [SERVER, CTL]): Promise<void> {
  for (const path of paths) {
    try {
      await Deno.stat(path);
    } catch {
      throw new RabbitmqMissingError(
        `Cannot start a RabbitMQ node: "${path}" is missing: install it with "apt-get install rabbitmq-server"`,
      );
    }
  }
}

async function writeNodeFiles(
  dir: string,
  nodeName: string,
  port: number,
  distPort: number,
  cookieDir: string | undefined,
): Promise<Record<string, string>> {
  // Our own config and env files: the system ones set NODENAME and listen on 5672.
  await Deno.writeTextFile(`${dir}/rabbitmq.conf`, `listeners.tcp.default = 127.0.0.1:${port}\n`);
  // Erlang reads the cookie from $HOME; the env file is sourced after su sets HOME.
  const home = cookieDir === undefined ? "" : `export HOME=${cookieDir}\n`;
  await Deno.writeTextFile(
    `${dir}/rabbitmq-env.conf`,
    'ERL_EPMD_ADDRESS=127.0.0.1\nexport ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n' +
      home,
  );
  await Deno.writeTextFile(`${dir}/enabled_plugins`, "[].\n");
  // Debian's wrapper runs the server as the rabbitmq user (via su, which
  // keeps these variables), so it must own the folder.
  const { uid, gid } = await rabbitmqUser();
  for (const name of ["", "/rabbitmq.conf", "/rabbitmq-env.conf", "/enabled_plugins"]) {
    await Deno.chown(`${dir}${name}`, uid, gid);
  }
  return {
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: `${dir}/mnesia`,
    RABBITMQ_LOG_BASE: `${dir}/log`,
    RABBITMQ_PID_FILE: `${dir}/pid`,
    RABBITMQ_ENABLED_PLUGINS_FILE: `${dir}/enabled_plugins`,
    RABBITMQ_CONFIG_FILE: `${dir}/rabbitmq.conf`,
    RABBITMQ_CONF_ENV_FILE: `${dir}/rabbitmq-env.conf`,
  };
}

/** The uid and gid of the `rabbitmq` user, who must own a node's files. */
export async function rabbitmqUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run("id", ["-u", "rabbitmq"]),
    run("id", ["-g", "rabbitmq"]),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function freePorts(count: number): Promise<number[]> {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((listener) => listener.addr.port);
  for (const listener of listeners) listener.close();
  return await Promise.resolve(ports);
}

/** Kills the node started with this PID file, if it runs, and waits until it is gone. */
async function kill(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await Deno.readTextFile(pidFile)).trim());
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return; // Stopped: the node removes its PID file.
    throw error;
  }
  if (await isNodeOf(pid, pidFile)) Deno.kill(pid, "SIGKILL");
  while (await isNodeOf(pid, pidFile)) await new Promise((resolve) => setTimeout(resolve, 20));
  // A stale PID file would make the next start wait on a dead process.
  await Deno.remove(pidFile);
}

/** Sends a signal to the node started with this PID file, after checking the PID is still its own. */
async function signal(pidFile: string, name: Deno.Signal): Promise<void> {
  const pid = Number((await Deno.readTextFile(pidFile)).trim());
  if (!(await isNodeOf(pid, pidFile))) {
    throw new Error(`Cannot send ${name} to the node of "${pidFile}": process ${pid} is not it`);
  }
  Deno.kill(pid, name);
}

/**
 * True while `pid` is the node started with this PID file (not a process
 * that reused its PID). Read by `cat`: Deno lets only --allow-all read /proc.
 */
async function isNodeOf(pid: number, pidFile: string): Promise<boolean> {
  const { success, stdout } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/environ`],
    stdout: "piped",
    stderr: "null",
  }).output();
  return success &&
    new TextDecoder().decode(stdout).split("\0").includes(`RABBITMQ_PID_FILE=${pidFile}`);
}

async function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const { success, code, stdout, stderr } = await new Deno.Command(command, {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!success) {
    throw new Error(
      `Cannot run "${[command, ...args].join(" ")}": exit code ${code}: ${
        decoder.decode(stderr).trim()
      }`,
    );
  }
  return decoder.decode(stdout);
}
