/**
 * docker-compose.yml, checked without a Docker engine: `docker-compose config` validates it
 * and resolves it with .env.example's values; the resolved YAML is read with PyYAML, the
 * parser docker-compose itself runs on (no YAML package is among the project's imports),
 * through the same Python interpreter. The functions' healthcheck command is run for real.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Buffer } from "node:buffer";
import { connect } from "amqplib";
import { loadConfig } from "../runtime/config.ts";
import { DEFAULT_BROKER_PASSWORD } from "../runtime/default_broker_password.ts";
import { functionVariables, importFunction, listFunctions } from "../runtime/load_function.ts";
import { CONFIG_VARIABLES } from "../runtime/config.ts";
import { startRabbitNode } from "./rabbit_node.ts";

const FUNCTION_NAMES = listFunctions();

/** Services that deploy a function once more, in a consumer group of their own. */
const DEPLOYMENTS: Record<string, { function: string; environment: Record<string, string> }> = {
  "model-challenger": {
    function: "model",
    environment: { MODEL: "forest", CONSUMER_GROUP: "model-forest" },
  },
};

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  "depends_on"?: Record<string, { condition: string }>;
  entrypoint?: string[];
  command?: string[];
  "network_mode"?: string;
  healthcheck?: { test: string[]; interval: string; timeout: string; retries: number };
  restart?: string;
  "stop_grace_period"?: string;
  init?: boolean;
  "container_name"?: string;
  ports?: string[];
  volumes?: string[];
  user?: string;
}

/** Runs docker-compose in the repo with only PATH and HOME from this environment. */
async function compose(args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command("docker-compose", {
    args,
    cwd: ROOT,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: Deno.env.get("HOME") ?? "/" },
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/** Parses YAML with the PyYAML that docker-compose imports, found through its shebang. */
async function parseYaml(yaml: string): Promise<unknown> {
  const which = await new Deno.Command("sh", {
    args: ["-c", "command -v docker-compose"],
    stdout: "piped",
  }).output();
  const script = await Deno.readTextFile(text(which.stdout).trim());
  const python = script.match(/^#!\s*(\S+)/)?.[1];
  assert.ok(python, "docker-compose has no #! line naming its Python");
  const child = new Deno.Command(python, {
    args: ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(yaml));
  await writer.close();
  const output = await child.output();
  assert.equal(output.code, 0, text(output.stderr));
  return JSON.parse(text(output.stdout));
}

/** Parses a `.env` file: KEY=value lines, `#` comments. */
function parseEnvFile(source: string): Record<string, string> {
  const entries = source.split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]);
  return Object.fromEntries(entries);
}

function seconds(duration: string | undefined): number {
  const match = duration?.match(/^(\d+)s$/);
  assert.ok(match, `Expected a duration like "20s", got "${duration}"`);
  return Number(match[1]);
}

/** Runs a compose healthcheck's CMD with its port swapped for `port`; returns the exit code. */
async function runHealthcheck(test: string[], port: number): Promise<number> {
  const [form, program, ...args] = test.map((a) =>
    a.replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`)
  );
  assert.deepEqual([form, program], ["CMD", "deno"]);
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).output();
  return output.code;
}

Deno.test("docker-compose.yml runs every function from Dockerfile.deno beside a pinned RabbitMQ", async (t) => {
  const example = parseEnvFile(await Deno.readTextFile(`${ROOT}/.env.example`));
  const raw = await Deno.readTextFile(`${ROOT}/docker-compose.yml`);
  let services: Record<string, Service> = {};

  await t.step("docker-compose config -q accepts it with .env.example's values", async () => {
    const output = await compose(["--env-file", ".env.example", "config", "-q"]);
    assert.equal(output.code, 0, text(output.stderr));
    const resolved = await compose(["--env-file", ".env.example", "config"]);
    assert.equal(resolved.code, 0, text(resolved.stderr));
    const parsed = await parseYaml(text(resolved.stdout)) as { services: typeof services };
    services = parsed.services;
    assert.deepEqual(
      Object.keys(services).sort(),
      ["logs", "rabbitmq", ...FUNCTION_NAMES, ...Object.keys(DEPLOYMENTS)].sort(),
    );
  });

  await t.step("runs without a .env: the default user and password", async () => {
    const empty = await Deno.makeTempFile({ suffix: ".env" });
    try {
      const output = await compose(["--env-file", empty, "config"]);
      assert.equal(output.code, 0, text(output.stderr));
      const parsed = await parseYaml(text(output.stdout)) as { services: typeof services };
      const defaults = parsed.services;
      assert.deepEqual(defaults.rabbitmq?.environment, {
        RABBITMQ_DEFAULT_USER: "pipeline",
        RABBITMQ_DEFAULT_PASS: DEFAULT_BROKER_PASSWORD,
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-rabbit max_message_size 8192",
      });
      assert.deepEqual(defaults.rabbitmq?.ports, [
        "127.0.0.1:15672:15672/tcp",
        "127.0.0.1:5673:5672/tcp",
      ]);
      for (const name of FUNCTION_NAMES.filter((n) => n !== "plot")) {
        assert.equal(
          defaults[name]?.environment?.AMQP_URL,
          `amqp://pipeline:${DEFAULT_BROKER_PASSWORD}@rabbitmq:5672`,
        );
      }
      assert.deepEqual(defaults.metrics?.volumes, [`${ROOT}/logs:/app/logs:rw`]);
      assert.equal(defaults.metrics?.user, "1993:1993");
    } finally {
      await Deno.remove(empty);
    }
  });

  await t.step("the one password in the file is the default the functions warn about", () => {
    assert.ok(example.RABBITMQ_USER && example.RABBITMQ_PASSWORD);
    assert.ok(!raw.includes(example.RABBITMQ_PASSWORD), "The password is in docker-compose.yml");
    const passwords = [...raw.matchAll(/RABBITMQ_PASSWORD:-([^}]*)\}/g)].map((m) => m[1]);
    assert.deepEqual(new Set(passwords), new Set([DEFAULT_BROKER_PASSWORD]));
    assert.ok(!/guest/i.test(raw + example.RABBITMQ_USER));
  });

  await t.step("logs: a one-shot root container without network opens ./logs", async () => {
    const logs = services.logs;
    assert.equal(logs?.image, services.rabbitmq?.image);
    assert.equal(logs?.user, "0:0");
    assert.equal(logs?.network_mode, "none");
    assert.deepEqual(logs?.volumes, [`${ROOT}/logs:/logs:rw`]);
    assert.equal(logs?.restart, undefined);
    // Its script, run here on a folder not owned by HOST_UID (as Docker creates it: root's):
    // afterwards anyone may write in it.
    const [shell, flag, script = ""] = logs?.entrypoint ?? [];
    assert.deepEqual([shell, flag], ["sh", "-c"]);
    assert.deepEqual(logs?.command, [example.HOST_UID]);
    const dir = await Deno.makeTempDir();
    try {
      await Deno.chmod(dir, 0o755);
      const local = script.replaceAll("$$", "$").replaceAll("/logs", dir);
      const output = await new Deno.Command("sh", {
        args: ["-c", local, example.HOST_UID ?? ""],
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0, text(output.stderr));
      assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o777);
    } finally {
      await Deno.remove(dir);
    }
  });

  await t.step("rabbitmq: pinned 4.x management image, healthcheck, volume, loopback ports", () => {
    const rabbit = services.rabbitmq;
    assert.match(rabbit?.image ?? "", /^rabbitmq:4\.\d+\.\d+-management$/);
    assert.deepEqual(rabbit?.healthcheck?.test, ["CMD", "rabbitmq-diagnostics", "-q", "ping"]);
    assert.deepEqual(rabbit?.volumes, ["rabbitmq-data:/var/lib/rabbitmq:rw"]);
    assert.deepEqual(rabbit?.environment, {
      RABBITMQ_DEFAULT_USER: example.RABBITMQ_USER,
      RABBITMQ_DEFAULT_PASS: example.RABBITMQ_PASSWORD,
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-rabbit max_message_size 8192",
    });
    assert.deepEqual(rabbit?.ports, [
      `127.0.0.1:${example.RABBITMQ_MANAGEMENT_PORT}:15672/tcp`,
      `127.0.0.1:${example.RABBITMQ_AMQP_PORT}:5672/tcp`,
    ]);
  });

  await t.step(
    "rabbitmq: its max_message_size is MAX_MESSAGE_BYTES and refuses a body over it",
    async () => {
      const env = services.rabbitmq?.environment ?? {};
      const max = Number(
        /max_message_size (\d+)/.exec(env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS ?? "")?.[1],
      );
      assert.equal(max, loadConfig({}).maxMessageBytes);
      // Debian's 3.10 reads the variable as the 4.x image does.
      const node = await startRabbitNode({
        env: { RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS! },
      });
      const connection = await connect(node.url);
      try {
        connection.on("error", () => {});
        const channel = await connection.createConfirmChannel();
        const closed = new Promise<string>((resolve) =>
          channel.on("error", (e: Error) => resolve(e.message))
        );
        await channel.assertQueue("largest");
        channel.sendToQueue("largest", Buffer.alloc(max));
        await channel.waitForConfirms();
        channel.sendToQueue("largest", Buffer.alloc(max + 1));
        await assert.rejects(channel.waitForConfirms());
        assert.match(
          await closed,
          new RegExp(`message size ${max + 1} is larger than configured max size ${max}`),
        );
      } finally {
        await connection.close().catch(() => {});
        await node.close();
      }
    },
  );

  await t.step("no image is unpinned and no service has a fixed name", () => {
    for (const [name, service] of Object.entries(services)) {
      const tag = service.image?.split(":")[1];
      assert.ok(tag !== undefined && tag !== "latest", `${name}: image "${service.image}"`);
      assert.equal(service.container_name, undefined, `${name} has a container_name`);
    }
    // --scale model=3 and --scale metrics=2 need no host port to share.
    for (const name of ["features", "model", "metrics"]) {
      assert.equal(services[name]?.ports, undefined, `${name} publishes a host port`);
    }
  });

  const amqpUrl = () =>
    `amqp://${example.RABBITMQ_USER}:${example.RABBITMQ_PASSWORD}@rabbitmq:5672`;
  const expectations: Record<string, Partial<Service>> = {
    // The source waits for its consumers: a group gets only what is published after its
    // queue exists.
    features: {
      depends_on: {
        rabbitmq: { condition: "service_healthy" },
        model: { condition: "service_healthy" },
        "model-challenger": { condition: "service_healthy" },
        metrics: { condition: "service_healthy" },
      },
    },
    model: { depends_on: { rabbitmq: { condition: "service_healthy" } } },
    metrics: {
      depends_on: {
        rabbitmq: { condition: "service_healthy" },
        logs: { condition: "service_completed_successfully" },
      },
      volumes: [`${ROOT}/logs:/app/logs:rw`],
      user: `${example.HOST_UID}:${example.HOST_GID}`,
    },
    plot: {
      depends_on: {
        metrics: { condition: "service_started" },
        logs: { condition: "service_completed_successfully" },
      },
      volumes: [`${ROOT}/logs:/app/logs:rw`],
      user: `${example.HOST_UID}:${example.HOST_GID}`,
    },
  };
  const shutdownSeconds = loadConfig({}).shutdownTimeoutMs / 1000;

  for (const name of FUNCTION_NAMES) {
    await t.step(`${name}: built from Dockerfile.deno, restarted, health-checked`, () => {
      const service = services[name];
      assert.ok(service, `No service "${name}"`);
      assert.deepEqual(service.build, {
        context: ROOT,
        dockerfile: "Dockerfile.deno",
        args: { FUNCTION: name },
      });
      assert.equal(service.image, `pipeline-${name}:local`);
      assert.equal(service.restart, "unless-stopped");
      assert.ok(seconds(service.stop_grace_period) > shutdownSeconds);
      // Only plot's live page is published, and for this host only.
      assert.deepEqual(service.ports, name === "plot" ? ["127.0.0.1:8083:8080/tcp"] : undefined);
      assert.equal(service.init, undefined, "The image's tini is already PID 1");
      assert.deepEqual(service.depends_on, expectations[name]?.depends_on);
      assert.deepEqual(service.volumes, expectations[name]?.volumes);
      assert.equal(service.user, expectations[name]?.user);
      assert.equal(service.healthcheck?.test[4], "--allow-net=127.0.0.1:8080");
    });

    await t.step(`${name}: its environment is read by its sandbox`, async () => {
      const environment = services[name]?.environment ?? {};
      const definition = await importFunction(name);
      const permitted = [...CONFIG_VARIABLES, ...functionVariables(definition)];
      for (const variable of Object.keys(environment)) {
        assert.ok(permitted.includes(variable), `${name} cannot read ${variable}`);
      }
      const usesBroker = name !== "plot";
      assert.equal(environment.AMQP_URL, usesBroker ? amqpUrl() : undefined);
    });
  }

  for (const [name, deployment] of Object.entries(DEPLOYMENTS)) {
    await t.step(`${name}: ${deployment.function}'s image and service, its own group`, async () => {
      const service = services[name];
      const original = services[deployment.function];
      assert.ok(service && original, `No service "${name}"`);
      const { environment, ...rest } = service;
      const { environment: originalEnvironment, ...originalRest } = original;
      assert.deepEqual(rest, originalRest);
      assert.deepEqual(environment, {
        AMQP_URL: originalEnvironment?.AMQP_URL,
        LOG_LEVEL: originalEnvironment?.LOG_LEVEL,
        ...deployment.environment,
      });
      const permitted = [
        ...CONFIG_VARIABLES,
        ...functionVariables(await importFunction(deployment.function)),
      ];
      for (const variable of Object.keys(environment ?? {})) {
        assert.ok(permitted.includes(variable), `${name} cannot read ${variable}`);
      }
      assert.notEqual(environment?.CONSUMER_GROUP, deployment.function);
    });
  }

  await t.step(
    "the functions' healthcheck passes on 200 from /readyz and fails otherwise",
    async () => {
      let status = 200;
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        (request) =>
          new Response(null, {
            status: new URL(request.url).pathname === "/readyz" ? status : 404,
          }),
      );
      try {
        const test = services.model?.healthcheck?.test ?? [];
        assert.equal(await runHealthcheck(test, server.addr.port), 0);
        status = 503;
        assert.equal(await runHealthcheck(test, server.addr.port), 1);
        for (const name of FUNCTION_NAMES) {
          assert.deepEqual(
            services[name]?.healthcheck?.test,
            test,
          );
        }
      } finally {
        await server.shutdown();
      }
    },
  );
});
