/**
 * The function's HTTP server: `GET /healthz` (alias `/livez`), `/readyz`,
 * `/metrics` and the function's own GET routes; nothing else is served.
 *
 * Built on `node:http`, not `Deno.serve`: `Deno.serve` has no cap on open
 * connections and no header or idle timeout, so idle sockets pile up until
 * accept fails with "Too many open files" and the error ends the process.
 * Under Deno 2.9.6, node:http's `maxConnections` (extra sockets closed at
 * once) and `headersTimeout` (checked every `connectionsCheckingInterval`)
 * do work, as health_server_test.ts shows. Its `keepAliveTimeout` had no
 * effect when tried (replies said `Keep-Alive: timeout=0`), so every reply
 * closes its connection instead. Its socket `timeout` would also cut a quiet
 * event stream (a function's live page), so the stall timeout is written here: a
 * reply whose client stops reading it is cut after `stallTimeoutMs`.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Registry } from "prom-client";
import type { Routes } from "../define_function.ts";
import { type Logger, silentLogger } from "../logger.ts";

/** One verdict of a probe. */
export interface HealthStatus {
  /** True when the probe passes (200), false when it fails (503). */
  readonly ok: boolean;
  /** Why it fails, or a note while it passes. */
  readonly reason?: string | undefined;
  /** True once a source finished its work (it stays live). */
  readonly finished?: boolean | undefined;
}

/** What the server asks the running function. */
export interface HealthProbe {
  /** Liveness: false only when the function is wedged and a restart would help. */
  live(): HealthStatus;
  /** Readiness: false while it cannot take work (starting, disconnected, paused, stopping). */
  ready(): HealthStatus;
  /** The function's metrics. */
  readonly registry: Registry;
  /** GET routes of the function's own, by exact path; read on each request. @default {} */
  readonly routes?: Routes;
}

/** Options of {@linkcode serveHealth}. */
export interface ServeHealthOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one. @default 8080 */
  port?: number;
  /**
   * Open connections at most; more are closed as soon as they are accepted.
   * Above the pages a function's live view may hold open (64), so probes still get in.
   * @default 128
   */
  maxConnections?: number;
  /** Time a client has to send its request's headers. @default 5000 */
  headersTimeoutMs?: number;
  /** A reply its client has not read any of for this long is cut. @default 30000 */
  stallTimeoutMs?: number;
  /** Where serving errors go; none is fatal. @default silentLogger */
  logger?: Logger;
  /**
   * How often the server checks that it still answers itself; 0 turns the check off.
   * @default 5000
   */
  watchdogMs?: number;
}

/** A running health server. */
export interface HealthServer {
  /** The bound port. */
  readonly port: number;
  /** Stops listening and closes every connection; may be called twice. */
  close(): Promise<void>;
}

/** Binds, then answers until closed; rejects when the address cannot be bound (EADDRINUSE). */
export async function serveHealth(
  probe: HealthProbe,
  options: ServeHealthOptions = {},
): Promise<HealthServer> {
  const logger = options.logger ?? silentLogger;
  const hostname = options.hostname ?? "127.0.0.1";
  let server = await listen(probe, options, hostname, options.port ?? 8080);
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  // Under Deno 2.9.6, node:http's accept loop stops for good, silently, when
  // accept fails with "Too many open files" (a flood of connections under a
  // low descriptor limit): the port stays bound and nothing answers. So the
  // server asks itself, and a server that twice does not answer listens anew.
  const watchdogMs = options.watchdogMs ?? 5000;
  let failures = 0;
  let checking = false;
  let closing: Promise<void> | undefined;
  const check = async () => {
    if (checking || closing !== undefined) return;
    checking = true;
    try {
      if (await answers(hostname, port, Math.min(2000, watchdogMs))) {
        failures = 0;
        return;
      }
      if (++failures < 2) return;
      logger.error("health server stopped answering, listening again", { port });
      await stop(server);
      if (closing === undefined) server = await listen(probe, options, hostname, port);
      failures = 0;
    } catch (error) {
      logger.warn("health server could not listen again", { port, error });
    } finally {
      checking = false;
    }
  };
  const watchdog = watchdogMs > 0 ? setInterval(check, watchdogMs) : undefined;
  return {
    port,
    close() {
      clearInterval(watchdog);
      closing ??= stop(server);
      return closing;
    },
  };
}

function listen(
  probe: HealthProbe,
  options: ServeHealthOptions,
  hostname: string,
  port: number,
): Promise<Server> {
  const logger = options.logger ?? silentLogger;
  const headersTimeout = options.headersTimeoutMs ?? 5000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  const server = createServer({
    headersTimeout,
    requestTimeout: headersTimeout,
    // Node's default checks timeouts every 30 s: idle sockets would live that long.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeout / 4)),
    maxHeaderSize: 8192,
  }, (request, response) => {
    answer(probe, request, response, stallTimeoutMs).catch((error) => {
      logger.warn("health server request failed", { error });
      response.destroy();
    });
  });
  server.maxConnections = options.maxConnections ?? 128;
  server.on("clientError", (error: Error, socket: Socket) => {
    logger.debug("health server client error", { error });
    socket.destroy();
  });
  return new Promise<Server>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      // After binding, an error (accept failing with EMFILE, say) is logged, never fatal.
      server.on("error", (error: Error) => logger.error("health server error", { error }));
      resolve(server);
    });
  });
}

/** Stops listening and closes every connection; gives up waiting after a second. */
function stop(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, 1000));
  return Promise.race([closed, late]).finally(() => clearTimeout(timer));
}

/** True when the server at this address answers an HTTP request within `timeoutMs`. */
async function answers(hostname: string, port: number, timeoutMs: number): Promise<boolean> {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  try {
    const response = await fetch(`http://${host}:${port}/livez`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

async function answer(
  probe: HealthProbe,
  request: IncomingMessage,
  response: ServerResponse,
  stallTimeoutMs: number,
): Promise<void> {
  const send = (method: string, reply: Response) =>
    sendReply(response, method, reply, stallTimeoutMs);
  const method = request.method ?? "GET";
  // One request per connection: node:http's keep-alive timeout does not apply under Deno.
  response.setHeader("connection", "close");
  if (method !== "GET" && method !== "HEAD") {
    return send(
      method,
      new Response("Method not allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      }),
    );
  }
  let url: URL;
  try {
    url = new URL(request.url ?? "/", "http://localhost");
  } catch {
    return send(method, new Response("Bad request\n", { status: 400 }));
  }
  const path = url.pathname;
  if (path === "/healthz" || path === "/livez") {
    return send(method, verdict(probe.live()));
  }
  if (path === "/readyz") return send(method, verdict(probe.ready()));
  if (path === "/metrics") {
    return send(
      method,
      new Response(await probe.registry.metrics(), {
        headers: { "content-type": probe.registry.contentType },
      }),
    );
  }
  const routes = probe.routes ?? {};
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (route === undefined) {
    return send(method, new Response("Not found\n", { status: 404 }));
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    try {
      headers.append(request.rawHeaders[i]!, request.rawHeaders[i + 1]!);
    } catch { /* a header Fetch refuses is left out */ }
  }
  return send(method, await route(new Request(url, { method, headers })));
}

function verdict(status: HealthStatus): Response {
  return Response.json({
    status: status.ok ? "ok" : "unavailable",
    ...(status.reason === undefined ? {} : { reason: status.reason }),
    ...(status.finished ? { finished: true } : {}),
  }, { status: status.ok ? 200 : 503 });
}

/**
 * Writes a Fetch Response to node's response, streaming its body with
 * backpressure; a client that reads nothing for `stallTimeoutMs` is cut off.
 */
async function sendReply(
  response: ServerResponse,
  method: string,
  reply: Response,
  stallTimeoutMs: number,
): Promise<void> {
  const headers: Record<string, string> = {};
  reply.headers.forEach((value, name) => headers[name] = value);
  response.writeHead(reply.status, headers);
  if (method === "HEAD" || reply.body === null) {
    await reply.body?.cancel();
    response.end();
    return;
  }
  // node:http holds the headers until the first body write: an event stream
  // may have nothing to write yet, and its client waits for them.
  response.flushHeaders();
  const reader = reply.body.getReader();
  const gone = new Promise<void>((resolve) => response.once("close", resolve));
  // A client that leaves ends a stream that may be waiting for its next event.
  gone.then(() => reader.cancel()).catch(() => {});
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!response.write(value) && !(await drained(response, gone, stallTimeoutMs))) {
        response.destroy();
        return;
      }
      if (response.destroyed) return;
    }
    response.end();
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Resolves true once the response drains, false after `timeoutMs` or when the client left. */
function drained(
  response: ServerResponse,
  gone: Promise<void>,
  timeoutMs: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) =>
    timer = setTimeout(() => resolve(false), timeoutMs)
  );
  const drain = new Promise<boolean>((resolve) => response.once("drain", () => resolve(true)));
  return Promise.race([drain, late, gone.then(() => false)]).finally(() => clearTimeout(timer));
}
