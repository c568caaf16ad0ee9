/**
 * `GET /healthz` and `GET /metrics`, read-only; nothing else is served.
 *
 * @module
 */
import type { Registry } from "prom-client";
import type { Routes } from "../define_function.ts";

/** What the server asks the running function. */
export interface HealthProbe {
  /** True while the function can take work. */
  ready(): boolean;
  /** Why it cannot, when it said so. */
  reason?(): string | undefined;
  /** The function's metrics. */
  readonly registry: Registry;
  /** GET routes of the function's own, by exact path. @default {} */
  readonly routes?: Routes;
}

/** Options of {@linkcode serveHealth}. */
export interface ServeHealthOptions {
  /** Interface to listen on. @default "0.0.0.0" */
  hostname?: string;
  /** Port; 0 picks a free one. @default 8080 */
  port?: number;
  /** Called with the port actually bound. */
  onListen?: (port: number) => void;
}

/** A running health server. */
export interface HealthServer {
  /** The bound port. */
  readonly port: number;
  /** Stops listening; may be called twice. */
  close(): Promise<void>;
}

/** Answers health and metrics requests until closed. */
export function serveHealth(
  probe: HealthProbe,
  options: ServeHealthOptions = {},
): HealthServer {
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 8080,
    signal: controller.signal,
    onListen: ({ port }) => options.onListen?.(port),
  }, async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const path = new URL(request.url).pathname;
    if (path === "/healthz") {
      const ready = probe.ready();
      const reason = ready ? undefined : probe.reason?.();
      return Response.json(
        { status: ready ? "ok" : "unavailable", ...(reason === undefined ? {} : { reason }) },
        { status: ready ? 200 : 503 },
      );
    }
    if (path === "/metrics") {
      return new Response(await probe.registry.metrics(), {
        headers: { "content-type": probe.registry.contentType },
      });
    }
    const route = Object.hasOwn(probe.routes ?? {}, path) ? probe.routes![path] : undefined;
    if (route !== undefined) return await route(request);
    return new Response("Not found\n", { status: 404 });
  });
  let closing: Promise<void> | undefined;
  return {
    port: server.addr.port,
    close() {
      closing ??= (async () => {
        controller.abort();
        await server.finished;
      })();
      return closing;
    },
  };
}
