/**
 * The Kubernetes manifests, offline: every document against its schema
 * (kubernetes-models, @kubernetes-models/keda), and against the project's own
 * facts: a Deployment per function folder, compose's images and settings,
 * the permission sets, the health port, the queue the runtime declares, the
 * shutdown drain, and memory from the benchmark's RSS figures.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { kedaSh } from "@kubernetes-models/keda";
import { apps, v1 } from "kubernetes-models";
import { parse, parseAllDocuments } from "yaml";
import { CONFIG_VARIABLES, loadConfig } from "../../shared/runtime/config.ts";
import {
  functionVariables,
  listFunctions,
  loadFunction,
} from "../../shared/runtime/load_function.ts";
import { queueName } from "../../shared/runtime/transport.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
const DIR = import.meta.dirname!;

// deno-lint-ignore no-explicit-any
type Doc = Record<string, any>;

/** Models of each kind the manifests use; RabbitmqCluster has no published model (checked by hand). */
const MODELS: Record<string, (doc: Doc) => { validate(): void }> = {
  "apps/v1 Deployment": (doc) => new apps.v1.Deployment(doc),
  "v1 PersistentVolumeClaim": (doc) => new v1.PersistentVolumeClaim(doc),
  "keda.sh/v1alpha1 ScaledObject": (doc) => new kedaSh.v1alpha1.ScaledObject(doc as never),
  "keda.sh/v1alpha1 TriggerAuthentication": (doc) =>
    new kedaSh.v1alpha1.TriggerAuthentication(doc as never),
};

async function manifests(): Promise<Doc[]> {
  const docs: Doc[] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (!entry.name.endsWith(".yaml")) continue;
    for (const doc of parseAllDocuments(await Deno.readTextFile(join(DIR, entry.name)))) {
      assert.deepEqual(doc.errors, [], entry.name);
      docs.push(doc.toJS() as Doc);
    }
  }
  return docs;
}

/** `192Mi` in bytes. */
function bytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  assert.ok(match, `a quantity in Mi or Gi: "${quantity}"`);
  return Number(match[1]) * 2 ** (match[2] === "Gi" ? 30 : 20);
}

/** Per function, the steady and the peak RSS of the latest benchmark run that has both. */
async function benchRss(): Promise<Map<string, { steady: number; peak: number }>> {
  const results = join(ROOT, "bench", "results");
  const files: string[] = [];
  for await (const entry of Deno.readDir(results)) {
    if (/^\d{4}-\d{2}-\d{2}\.json$/.test(entry.name)) files.push(entry.name);
  }
  type Rss = { name: string; rssBytes: number; peakBytes: number };
  for (const file of files.toSorted().reverse()) {
    const { result } = JSON.parse(await Deno.readTextFile(join(results, file))) as Doc;
    // Stage 2 (unthrottled) gives the peaks; stage 3 (500 obs/s) the steady state.
    if (result.pipeline?.memory === undefined || result.latency?.memory === undefined) continue;
    const rss = new Map<string, { steady: number; peak: number }>();
    for (const c of result.pipeline.memory as Rss[]) {
      rss.set(c.name, { steady: c.rssBytes, peak: c.peakBytes });
    }
    for (const c of result.latency.memory as Rss[]) {
      const pipeline = rss.get(c.name)!;
      rss.set(c.name, { steady: c.rssBytes, peak: Math.max(pipeline.peak, c.peakBytes) });
    }
    return rss;
  }
  throw new Error("Cannot find a benchmark result with stages 2 and 3 in bench/results");
}

/** Compose's `${VAR:-default}` with its default, as compose resolves it with no .env. */
function composeDefaults(value: string): string {
  return value.replace(/\$\{\w+:-([^}]*)\}/g, "$1");
}

Deno.test("deploy/k8s manifests validate against the Kubernetes and KEDA schemas", async () => {
  const docs = await manifests();
  const kinds = docs.map((doc) => `${doc.apiVersion} ${doc.kind}`).toSorted();
  assert.deepEqual(kinds, [
    "apps/v1 Deployment",
    "apps/v1 Deployment",
    "apps/v1 Deployment",
    "apps/v1 Deployment",
    "keda.sh/v1alpha1 ScaledObject",
    "keda.sh/v1alpha1 TriggerAuthentication",
    "rabbitmq.com/v1beta1 RabbitmqCluster",
    "v1 PersistentVolumeClaim",
  ]);
  for (const doc of docs) {
    const kind = `${doc.apiVersion} ${doc.kind}`;
    if (kind === "rabbitmq.com/v1beta1 RabbitmqCluster") continue;
    assert.doesNotThrow(() => MODELS[kind]!(doc).validate(), `${kind} ${doc.metadata.name}`);
  }
  // And the check can fail: a wrong field type is refused.
  const deployment = docs.find((doc) => doc.kind === "Deployment")!;
  const broken = structuredClone(deployment);
  broken.spec.replicas = "two";
  assert.throws(() => new apps.v1.Deployment(broken).validate());
});

Deno.test("deploy/k8s manifests agree with the functions, compose, the runtime and the benchmark", async (t) => {
  const docs = await manifests();
  const compose = parse(await Deno.readTextFile(join(ROOT, "docker-compose.yml")), {
    merge: true,
  }) as Doc;
  const defaults = loadConfig({});
  const deployments = new Map<string, Doc>(
    docs.filter((doc) => doc.kind === "Deployment").map((doc) => [doc.metadata.name, doc]),
  );
  const broker = docs.find((doc) => doc.kind === "RabbitmqCluster")!;
  const container = (name: string) => deployments.get(name)!.spec.template.spec.containers[0];
  const names = listFunctions().toSorted();
  const functions = new Map(
    await Promise.all(names.map(async (name) => [name, await loadFunction(name, {})] as const)),
  );

  await t.step("a 3-node RabbitmqCluster", () => {
    assert.equal(broker.spec.replicas, 3);
  });

  await t.step("one Deployment per function folder", () => {
    assert.deepEqual([...deployments.keys()].toSorted(), names);
  });

  for (const name of names) {
    await t.step(`${name}: compose's image and command, its env read by its sandbox`, () => {
      const service = compose.services[name];
      const c = container(name);
      assert.equal(c.image, composeDefaults(service.image));
      // Neither overrides the image's CMD (functionCommand(name), checked by dockerfile_test.ts).
      assert.deepEqual([c.command, c.args, service.command], [undefined, undefined, undefined]);
      const env = new Map<string, Doc>(c.env.map((e: Doc) => [e.name, e]));
      assert.deepEqual(
        Object.keys(service.environment).filter((k) => !env.has(k)),
        [],
        "every variable compose sets",
      );
      // RABBITMQ_USER and _PASSWORD only build AMQP_URL (Kubernetes expands $(VAR)).
      const read = [...env.keys()].filter((k) => !k.startsWith("RABBITMQ_"));
      const permitted = [
        ...CONFIG_VARIABLES,
        ...functionVariables(functions.get(name)!.definition),
      ];
      assert.deepEqual(read.filter((k) => !permitted.includes(k)), []);
      if (env.has("AMQP_URL")) {
        // The operator's client Service is named after the cluster; its secret too. The
        // sandbox allows the host AMQP_URL names, whatever it is.
        const url = new URL(env.get("AMQP_URL")!.value.replace(/\$\(\w+\)/g, "x"));
        assert.equal(url.hostname, broker.metadata.name);
        for (const secret of ["RABBITMQ_USER", "RABBITMQ_PASSWORD"]) {
          assert.equal(
            env.get(secret)!.valueFrom.secretKeyRef.name,
            `${broker.metadata.name}-default-user`,
          );
        }
      }
    });

    await t.step(`${name}: probes on the health port, scraped there, drained before a kill`, () => {
      const deployment = deployments.get(name)!;
      const pod = deployment.spec.template;
      const c = container(name);
      assert.deepEqual(c.ports, [{ name: "health", containerPort: defaults.httpPort }]);
      assert.ok(!c.env.some((e: Doc) => e.name === "HTTP_PORT"));
      assert.deepEqual(c.livenessProbe.httpGet, { path: "/livez", port: "health" });
      assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "health" });
      assert.equal(pod.metadata.annotations["prometheus.io/port"], String(defaults.httpPort));
      assert.equal(pod.metadata.annotations["prometheus.io/path"], "/metrics");
      assert.ok(pod.spec.terminationGracePeriodSeconds * 1000 > defaults.shutdownTimeoutMs);
    });

    await t.step(
      `${name}: non-root, read-only root filesystem, writes only its logs volume`,
      () => {
        const pod = deployments.get(name)!.spec.template.spec;
        const c = container(name);
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.securityContext.runAsUser, 1993, "the image's deno user");
        assert.deepEqual(c.securityContext, {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        // The image's WORKDIR is /app; the directories its sandbox writes, resolved there.
        const { definition, settings } = functions.get(name)!;
        const writes = (definition.sandbox?.writeDirs ?? []).map((key) =>
          join("/app", String(settings[key]))
        );
        assert.deepEqual((c.volumeMounts ?? []).map((m: Doc) => m.mountPath), writes);
      },
    );
  }

  await t.step(
    "memory: requests cover the steady RSS, limits the peak, per the benchmark",
    async () => {
      const rss = await benchRss();
      for (const name of names) {
        const { requests, limits } = container(name).resources;
        const { steady, peak } = rss.get(name)!;
        assert.ok(bytes(requests.memory) >= steady, `${name} request ${requests.memory}`);
        assert.ok(bytes(limits.memory) >= 1.25 * peak, `${name} limit ${limits.memory}`);
      }
    },
  );

  await t.step("metrics: one replica, replaced by Recreate (one writer of the CSV)", () => {
    const metrics = deployments.get("metrics")!;
    assert.equal(metrics.spec.replicas, 1);
    assert.deepEqual(metrics.spec.strategy, { type: "Recreate" });
  });

  await t.step("KEDA scales model from zero on the queue the runtime declares", () => {
    const scaled = docs.find((doc) => doc.kind === "ScaledObject")!;
    const auth = docs.find((doc) => doc.kind === "TriggerAuthentication")!;
    const model = functions.get("model")!.definition;
    assert.equal(model.kind, "consumer");
    const consumes = model.kind === "consumer" ? model.consumes.map((stream) => stream.name) : [];
    assert.deepEqual(consumes, ["features/X"]);
    assert.equal(scaled.spec.scaleTargetRef.name, "model");
    assert.equal(deployments.get("model")!.spec.replicas, undefined, "KEDA owns the count");
    assert.equal(scaled.spec.minReplicaCount, 0);
    const [trigger, ...others] = scaled.spec.triggers;
    assert.equal(others.length, 0);
    assert.equal(trigger.type, "rabbitmq");
    assert.equal(trigger.metadata.queueName, queueName("features/X", "model"));
    assert.equal(trigger.metadata.mode, "QueueLength");
    assert.ok(Number(trigger.metadata.activationValue) > 0);
    assert.equal(new URL(trigger.metadata.host).hostname, broker.metadata.name);
    assert.equal(trigger.authenticationRef.name, auth.metadata.name);
    assert.deepEqual(
      auth.spec.secretTargetRef.map((r: Doc) => [r.parameter, r.name]),
      [["username", `${broker.metadata.name}-default-user`], [
        "password",
        `${broker.metadata.name}-default-user`,
      ]],
    );
  });
});
