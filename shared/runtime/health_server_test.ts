// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { delay } from "./backoff.ts";
import { waitFor } from "../testing/wait_for.ts";
import { type HealthProbe, type HealthStatus, serveHealth } from "./health_server.ts";

function probe(overrides: Partial<HealthProbe> = {}): HealthProbe {
  const registry = new Registry();
  registry.setDefaultLabels({ function: "probe" });
  return { live: () => ({ ok: true }), ready: () => ({ ok: true }), registry, ...overrides };
}

async function get(port: number, path: string, method = "GET") {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

/** Resolves with how the server ended the connection: "closed" or "reset". */
async function ended(connection: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(256);
  try {
    while ((await connection.read(buffer)) !== null) { /* a reply, then the close */ }
    return "closed";
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionReset) return "reset";
    throw error;
  }
}

function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

Deno.test("serveHealth() answers liveness, readiness, metrics and the function's routes", async (t) => {
  let live: HealthStatus = { ok: true };
  let ready: HealthStatus = { ok: false, reason: "starting" };
  const routes: Record<string, (r: Request) => Response> = {};
  const server = await serveHealth(probe({ live: () => live, ready: () => ready, routes }), {
    port: 0,
  });
  try {
    await t.step("/healthz and /livez follow live(), /readyz follows ready()", async () => {
      assert.deepEqual(
        [await get(server.port, "/healthz"), await get(server.port, "/livez")].map((r) => r.text),
        ['{"status":"ok"}', '{"status":"ok"}'],
      );
      const notReady = await get(server.port, "/readyz");
      assert.deepEqual([notReady.status, notReady.text], [
        503,
        '{"status":"unavailable","reason":"starting"}',
      ]);
      live = { ok: false, reason: "no progress for 61 s" };
      ready = { ok: true, finished: true };
      const wedged = await get(server.port, "/livez");
      assert.deepEqual([wedged.status, wedged.text], [
        503,
        '{"status":"unavailable","reason":"no progress for 61 s"}',
      ]);
      assert.deepEqual((await get(server.port, "/readyz")).text, '{"status":"ok","finished":true}');
      live = { ok: true };
      assert.equal((await get(server.port, "/healthz")).status, 200);
    });
    await t.step("/metrics, 404, 405 and HEAD; every reply closes its connection", async () => {
      const metrics = await get(server.port, "/metrics");
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain/);
      assert.equal(metrics.headers.get("connection"), "close");
      assert.equal((await get(server.port, "/admin")).status, 404);
      const post = await get(server.port, "/healthz", "POST");
      assert.deepEqual([post.status, post.headers.get("allow")], [405, "GET, HEAD"]);
      const head = await get(server.port, "/healthz", "HEAD");
      assert.deepEqual([head.status, head.text], [200, ""]);
    });
    await t.step("a route added after the start is served, with the request's query", async () => {
      assert.equal((await get(server.port, "/view")).status, 404);
      routes["/view"] = (request) => new Response(new URL(request.url).searchParams.get("q"));
      assert.deepEqual(await get(server.port, "/view?q=42").then((r) => r.text), "42");
    });
  } finally {
    await server.close();
    await server.close();
  }
});

Deno.test("serveHealth() caps open connections and closes the idle and the slow", async () => {
  const server = await serveHealth(probe(), {
    port: 0,
    maxConnections: 4,
    headersTimeoutMs: 300,
  });
  const connections: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < 10; i++) connections.push(await connect(server.port));
    // One of the four admitted sends half its headers and stops: a slow client.
    await connections[0]!.write(new TextEncoder().encode("GET /healthz HTTP/1.1\r\nHost: a\r\n"));
    const started = performance.now();
    const endings = await Promise.all(connections.map(async (c) => {
      const how = await ended(c);
      return { how, ms: performance.now() - started };
    }));
    const admitted = endings.slice(0, 4), refused = endings.slice(4);
    console.log(
      `health server: 10 idle connections, cap 4: 6 refused within ${
        Math.max(...refused.map((e) => e.ms)).toFixed(0)
      } ms, 4 closed by the 300 ms header timeout after ${
        Math.min(...admitted.map((e) => e.ms)).toFixed(0)
      }-${Math.max(...admitted.map((e) => e.ms)).toFixed(0)} ms`,
    );
    assert.equal(refused.length, 6);
    assert.ok(refused.every((e) => e.how === "closed" || e.how === "reset"));
    assert.deepEqual(admitted.map((e) => e.how), ["closed", "closed", "closed", "closed"]);
    const after = await get(server.port, "/healthz");
    assert.deepEqual([after.status, after.text], [200, '{"status":"ok"}']);
  } finally {
    connections.forEach((c) => c.close());
    await server.close();
  }
});

Deno.test("serveHealth() rejects when its port is taken, and binds HTTP_HOST's address", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await assert.rejects(
      serveHealth(probe(), { hostname: "127.0.0.1", port: taken.addr.port }),
      (error: Error & { code?: string }) => error.code === "EADDRINUSE",
    );
  } finally {
    taken.close();
  }
  const server = await serveHealth(probe(), { port: 0 });
  try {
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.2", port: server.port }),
      Deno.errors.ConnectionRefused,
      "the default address is 127.0.0.1 only",
    );
  } finally {
    await server.close();
  }
});

Deno.test("serveHealth() closes a connection whose client stops reading its reply", async () => {
  const chunk = new Uint8Array(64 * 1024);
  const total = 1024 * chunk.length;
  let pulled = 0;
  const routes = {
    "/big": () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (pulled++ === 1024) controller.close();
            else controller.enqueue(chunk);
          },
        }),
      ),
  };
  const server = await serveHealth(probe({ routes }), { port: 0, stallTimeoutMs: 300 });
  const connection = await connect(server.port);
  try {
    await connection.write(new TextEncoder().encode("GET /big HTTP/1.1\r\nHost: a\r\n\r\n"));
    // Reads nothing for a while: the server's writes stall, then it gives up.
    await delay(1500);
    let received = 0;
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n = await connection.read(buffer); n !== null; n = await connection.read(buffer)) {
        received += n;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
    }
    console.log(
      `health server: a stalled reader got ${received} of ${total} bytes, then the close`,
    );
    assert.ok(received < total, `${received} of ${total} bytes`);
    assert.ok(pulled < 1024, `${pulled} chunks produced`);
  } finally {
    connection.close();
    await server.close();
  }
});

Deno.test("serveHealth() sends an event stream's headers at once, keeps it open while quiet, ends it when its client leaves", async () => {
  let push: (text: string) => void = () => {};
  let cancelled = false;
  const routes = {
    "/events": () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            push = (text) => controller.enqueue(new TextEncoder().encode(text));
          },
          cancel() {
            cancelled = true;
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
  };
  const server = await serveHealth(probe({ routes }), { port: 0, stallTimeoutMs: 200 });
  try {
    // The headers come before any event: the client is not left waiting for them.
    const response = await fetch(`http://127.0.0.1:${server.port}/events`);
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    push("data: 1\n\n");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value, "data: 1\n\n");
    // Quiet for three stall timeouts: nothing is unread, so nothing is cut.
    await delay(600);
    push("data: 2\n\n");
    assert.equal((await reader.read()).value, "data: 2\n\n");
    await reader.cancel();
    await waitFor("the stream to end", () => cancelled);
  } finally {
    await server.close();
  }
});
