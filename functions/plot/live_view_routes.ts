/**
 * The live view's HTTP routes on the plot function's port: the page and its
 * static files, the Server-Sent Events stream of snapshots, the PNG and each
 * model's metric log. Each is an exact path; no part of a request ever becomes a file
 * path, and nothing is written.
 *
 * @module
 */
import { basename } from "node:path";
import type { RouteHandler, Routes } from "../../shared/define_function.ts";
import { ERROR_PLOT_FILE, METRIC_LOG_FILE } from "../_metric_log.ts";
import type { LiveFeed } from "./live_feed.ts";
import type { LiveViewAssets } from "./live_view_assets.ts";
import { securityHeaders } from "./security_headers.ts";
import { streamFile } from "./stream_file.ts";

/** The Server-Sent Events stream the page subscribes to. */
export const EVENTS_PATH = "/events";

/** Options of {@linkcode liveViewRoutes}. */
export interface LiveViewRoutesOptions {
  /** The page's static files. */
  assets: LiveViewAssets;
  /** The champion's metric log's path, served at `/metric_log.csv`. */
  metricLogPath: string;
  /** Each challenger's metric log's path, served at `/<its file name>` (`/metric_log.forest.csv`). @default none */
  challengerLogPaths?: readonly string[];
  /** The PNG's path, served at `/error_distribution.png`. */
  plotPath: string;
}

/** The routes of the live view. */
export function liveViewRoutes(feed: LiveFeed, options: LiveViewRoutesOptions): Routes {
  const routes: Record<string, RouteHandler> = {};
  for (const [path, asset] of Object.entries(options.assets)) {
    routes[path] = readOnly((request) =>
      new Response(request.method === "HEAD" ? null : asset.body, {
        headers: securityHeaders(asset.contentType),
      })
    );
  }
  routes[EVENTS_PATH] = readOnly((request) => events(feed, request));
  const { metricLogPath, plotPath } = options;
  routes[`/${METRIC_LOG_FILE}`] = readOnly((request) =>
    streamFile(metricLogPath, { contentType: "text/csv; charset=utf-8", method: request.method })
  );
  // Their names come from the configuration (model names are checked), never from a request.
  for (const path of options.challengerLogPaths ?? []) {
    routes[`/${basename(path)}`] = readOnly((request) =>
      streamFile(path, { contentType: "text/csv; charset=utf-8", method: request.method })
    );
  }
  routes[`/${ERROR_PLOT_FILE}`] = readOnly((request) =>
    streamFile(plotPath, { contentType: "image/png", method: request.method })
  );
  return Object.freeze(routes);
}

function events(feed: LiveFeed, request: Request): Response {
  const headers = securityHeaders("text/event-stream; charset=utf-8");
  // HEAD must not open a stream nobody reads.
  if (request.method === "HEAD") return new Response(null, { headers });
  const body = feed.subscribe();
  if (body === undefined) {
    const text = securityHeaders("text/plain; charset=utf-8");
    text.set("retry-after", "5");
    return new Response("Too many live pages, or stopping\n", { status: 503, headers: text });
  }
  return new Response(body, { headers });
}

// The runtime's server already answers only GET and HEAD; this keeps the
// routes read-only whatever serves them.
function readOnly(handler: RouteHandler): RouteHandler {
  return (request) => {
    if (request.method === "GET" || request.method === "HEAD") return handler(request);
    const headers = securityHeaders("text/plain; charset=utf-8");
    headers.set("allow", "GET, HEAD");
    return new Response("Method not allowed\n", { status: 405, headers });
  };
}
