/**
 * A Docker daemon for the compose suite: the one already running, or one this
 * process starts (`dockerd`, by its PID) and stops again, so a daemon someone
 * else runs is never stopped.
 *
 * @module
 */
import { waitFor } from "./wait_for.ts";

/** True when `docker info` answers. */
export async function dockerAnswers(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("docker", {
      args: ["info", "--format", "{{.ServerVersion}}"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        'Cannot run the compose suite: "docker" is missing: install it with "apt-get install docker.io docker-compose"',
      );
    }
    throw error;
  }
}

/**
 * Runs `use` with a Docker daemon. Starts `dockerd` when none answers and then
 * stops that one (SIGTERM to its PID, then waits for it); never one it did not start.
 */
export async function withDockerDaemon<T>(use: () => Promise<T>): Promise<T> {
  if (await dockerAnswers()) return await use();
  const log = await Deno.makeTempFile({ prefix: "dockerd-", suffix: ".log" });
  const file = await Deno.open(log, { write: true });
  let daemon: Deno.ChildProcess;
  try {
    daemon = new Deno.Command("dockerd", {
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    file.close();
    await Deno.remove(log);
    throw new Error(
      `Cannot start a Docker daemon: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  // dockerd logs on stderr; kept in a file so a failure can be read, removed after.
  const copied = daemon.stderr.pipeTo(file.writable);
  try {
    await waitFor("dockerd to answer", dockerAnswers, { timeoutMs: 60_000, intervalMs: 500 });
    return await use();
  } finally {
    daemon.kill("SIGTERM");
    await daemon.status;
    await copied;
    await Deno.remove(log);
  }
}
