import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { serveHealth } from "./health_server.ts";

Deno.test("serveHealth() answers /healthz by readiness and serves /metrics", async () => {
  let ready = false;
  const registry = new Registry();
  registry.setDefaultLabels({ function: "probe" });
  const server = serveHealth({ ready: () => ready, registry }, { hostname: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const down = await fetch(`${base}/healthz`);
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { status: "unavailable" });
    ready = true;
    const up = await fetch(`${base}/healthz`);
    assert.equal(up.status, 200);
    assert.deepEqual(await up.json(), { status: "ok" });
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain/);
    await metrics.body?.cancel();
    const other = await fetch(`${base}/admin`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
    const post = await fetch(`${base}/healthz`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await server.close();
    await server.close();
  }
});
