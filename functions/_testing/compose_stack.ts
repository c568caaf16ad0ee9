/**
 * This repository's docker-compose.yml run for real under a project name of
 * its own, with its own host ports, logs folder and image tag, so that two
 * runs (or someone's `docker compose up`) never collide. As on a fresh clone:
 * no `.env` is read and the logs folder does not exist before `up`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What `docker inspect` says of one container, the part the compose suite reads. */
export interface ContainerState {
  readonly id: string;
  readonly service: string;
  /** "running", "exited", "restarting", ... */
  readonly status: string;
  /** "starting", "healthy", "unhealthy", or undefined without a healthcheck. */
  readonly health: string | undefined;
  /** The container's main process as the host sees it; 0 when it is not running. */
  readonly pid: number;
  readonly restartCount: number;
  readonly exitCode: number;
}

/** Options of {@linkcode ComposeStack.create}. */
export interface ComposeStackOptions {
  /** Variables for docker-compose's substitution, besides the stack's own. */
  env?: Record<string, string>;
}

/** One compose project of this repository. */
export class ComposeStack {
  /** The compose project name, unique to this run. */
  readonly project: string;
  /** The host folder mounted as the functions' logs (created by Docker on `up`). */
  readonly logsDir: string;
  /** The tag of the functions' images, unique to this run. */
  readonly imageTag: string;
  readonly #dir: string;
  readonly #env: Record<string, string>;

  private constructor(dir: string, env: Record<string, string>) {
    this.#dir = dir;
    this.project = `pipelinetest${crypto.randomUUID().slice(0, 8)}`;
    this.imageTag = `test-${this.project}`;
    this.logsDir = join(dir, "logs");
    this.#env = { ...env, LOGS_HOST_DIR: this.logsDir, IMAGE_TAG: this.imageTag };
  }

  /** Prepares a stack on free loopback ports; nothing runs until {@linkcode ComposeStack.compose}. */
  static async create(options: ComposeStackOptions = {}): Promise<ComposeStack> {
    const dir = await Deno.makeTempDir({ prefix: "compose-stack-" });
    await Deno.writeTextFile(join(dir, "empty.env"), "");
    const [amqp, management, page] = freePorts(3);
    return new ComposeStack(dir, {
      RABBITMQ_AMQP_PORT: String(amqp),
      RABBITMQ_MANAGEMENT_PORT: String(management),
      PLOT_PAGE_PORT: String(page),
      ...options.env,
    });
  }

  /** Runs `docker-compose -p <project> <args>` in the repository; throws with its stderr. */
  async compose(...args: string[]): Promise<string> {
    const envFile = join(this.#dir, "empty.env");
    return await run("docker-compose", ["--env-file", envFile, "-p", this.project, ...args], {
      cwd: ROOT,
      env: { ...passedOn(), ...this.#env },
    });
  }

  /** The project's containers, one-shot ones included. */
  async containers(): Promise<ContainerState[]> {
    const label = `label=com.docker.compose.project=${this.project}`;
    const ids = (await run("docker", ["ps", "-aq", "--filter", label])).split("\n")
      .filter((id) => id !== "");
    if (ids.length === 0) return [];
    const inspected = JSON.parse(await run("docker", ["inspect", ...ids])) as Inspected[];
    return inspected.map((c) => ({
      id: c.Id,
      service: c.Config.Labels["com.docker.compose.service"] ?? "",
      status: c.State.Status,
      health: c.State.Health?.Status,
      pid: c.State.Pid,
      restartCount: c.RestartCount,
      exitCode: c.State.ExitCode,
    }));
  }

  /** The JSON log records of a service's containers, in the order docker-compose prints them. */
  async logs(service: string): Promise<Record<string, unknown>[]> {
    const text = await this.compose("logs", "--no-color", "--no-log-prefix", service);
    return text.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
  }

  /** `down -v`, untags the run's images (keeping their layers as build cache), removes the folder. */
  async close(): Promise<void> {
    try {
      await this.compose("down", "-v", "--remove-orphans", "--timeout", "20");
    } finally {
      const images = ["features", "model", "metrics", "plot"]
        .map((name) => `pipeline-${name}:${this.imageTag}`);
      await run("docker", ["image", "rm", "--no-prune", ...images]).catch(() => "");
      await Deno.remove(this.#dir, { recursive: true });
    }
  }
}

interface Inspected {
  Id: string;
  RestartCount: number;
  Config: { Labels: Record<string, string> };
  State: { Status: string; Pid: number; ExitCode: number; Health?: { Status: string } };
}

// Only what docker-compose needs to find its tools and daemon: a variable such as
// RABBITMQ_PASSWORD in the caller's shell must not change the stack under test.
function passedOn(): Record<string, string> {
  const names = ["PATH", "HOME", "DOCKER_HOST", "DOCKER_CONFIG"];
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}

async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const output = await new Deno.Command(command, {
    args,
    ...options,
    clearEnv: options.env !== undefined,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) {
    const stderr = decoder.decode(output.stderr).trim().split("\n").slice(-5).join(" / ");
    throw new Error(
      `Cannot run "${command} ${args.join(" ")}": exit code ${output.code}: ${stderr}`,
    );
  }
  return decoder.decode(output.stdout);
}
