import assert from "node:assert/strict";
import { join } from "node:path";
import { Registry } from "prom-client";
import { serveHealth } from "../../shared/runtime/health_server.ts";
import { LiveFeed } from "./live_feed.ts";
import { loadLiveViewAssets } from "./live_view_assets.ts";
import { liveViewRoutes } from "./live_view_routes.ts";
import { CONTENT_SECURITY_POLICY } from "./security_headers.ts";

const PATHS = [
  "/",
  "/chart.umd.min.js",
  "/error_distribution.png",
  "/events",
  "/live_page.css",
  "/live_page.js",
  "/live_page_icon.svg",
  "/metric_log.csv",
  "/metric_log.forest.csv",
];

async function withServer(
  test: (url: string, dir: string, feed: LiveFeed) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "live_view_routes_" });
  const feed = new LiveFeed();
  const routes = liveViewRoutes(feed, {
    assets: await loadLiveViewAssets(),
    metricLogPath: join(dir, "metric_log.csv"),
    challengerLogPaths: [join(dir, "metric_log.forest.csv")],
    plotPath: join(dir, "error_distribution.png"),
  });
  assert.deepEqual(Object.keys(routes).sort(), PATHS.toSorted());
  const ok = () => ({ ok: true });
  const server = await serveHealth({ live: ok, ready: ok, registry: new Registry(), routes }, {
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await test(`http://127.0.0.1:${server.port}`, dir, feed);
  } finally {
    feed.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("liveViewRoutes() serves the page's files with their types and the policy", async () => {
  await withServer(async (url) => {
    const expected: [string, string, string][] = [
      ["/", "text/html; charset=utf-8", '<script src="/live_page.js" defer></script>'],
      ["/live_page.js", "text/javascript; charset=utf-8", 'new EventSource("/events")'],
      ["/live_page.css", "text/css; charset=utf-8", "#status.live"],
      ["/chart.umd.min.js", "text/javascript; charset=utf-8", "Chart.js v4.6.1"],
      ["/live_page_icon.svg", "image/svg+xml", "<svg"],
    ];
    for (const [path, type, excerpt] of expected) {
      const response = await fetch(url + path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("content-type"), type, path);
      assert.equal(response.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(response.headers.get("x-frame-options"), "DENY");
      assert.ok((await response.text()).includes(excerpt), `${path} has ${excerpt}`);
    }
    const head = await fetch(`${url}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });
});

Deno.test("liveViewRoutes() streams the CSV and the PNG from their fixed paths only", async () => {
  await withServer(async (url, dir) => {
    for (const path of ["/metric_log.csv", "/error_distribution.png"]) {
      const missing = await fetch(url + path);
      assert.equal(missing.status, 404, path);
      await missing.body?.cancel();
    }
    await Deno.writeTextFile(join(dir, "metric_log.csv"), "id,y_true,y_pred,error\na,1,3,2\n");
    await Deno.writeFile(join(dir, "error_distribution.png"), new Uint8Array([137, 80, 78, 71]));
    const csv = await fetch(`${url}/metric_log.csv`);
    assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(await csv.text(), "id,y_true,y_pred,error\na,1,3,2\n");
    await Deno.writeTextFile(
      join(dir, "metric_log.forest.csv"),
      "id,y_true,y_pred,error\na,1,2,1\n",
    );
    const challenger = await fetch(`${url}/metric_log.forest.csv`);
    assert.equal(challenger.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(await challenger.text(), "id,y_true,y_pred,error\na,1,2,1\n");
    const png = await fetch(`${url}/error_distribution.png`);
    assert.equal(png.headers.get("content-type"), "image/png");
    assert.deepEqual(new Uint8Array(await png.arrayBuffer()), new Uint8Array([137, 80, 78, 71]));
    for (
      const path of [
        "/metric_log.csv/",
        "/logs/metric_log.csv",
        "/%2e%2e/deno.json",
        "/index.html",
        "/metric_log.sum.csv",
      ]
    ) {
      const response = await fetch(url + path);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await fetch(`${url}/metric_log.csv`, { method });
      assert.equal(response.status, 405, method);
      await response.body?.cancel();
    }
    assert.equal(
      await Deno.readTextFile(join(dir, "metric_log.csv")),
      "id,y_true,y_pred,error\na,1,3,2\n",
    );
  });
});

Deno.test("liveViewRoutes() /events streams snapshots until the feed closes", async () => {
  await withServer(async (url, _dir, feed) => {
    const head = await fetch(`${url}/events`, { method: "HEAD" });
    assert.equal(head.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(feed.clients, 0);
    const response = await fetch(`${url}/events`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const series = {
      name: "linear",
      champion: true,
      rows: 1,
      mae: 2,
      rmse: 2,
      rowsPerSecond: null,
      lastRowAt: 5,
      edges: [2, 2],
      counts: [1],
    };
    feed.publish({ version: 1, series: [series], verdicts: [] });
    assert.equal(
      (await reader.read()).value,
      `event: snapshot\nid: 1\nretry: 2000\ndata: ${
        JSON.stringify({ version: 1, series: [series], verdicts: [] })
      }\n\n`,
    );
    feed.close();
    assert.equal((await reader.read()).done, true);
    const refused = await fetch(`${url}/events`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    await refused.body?.cancel();
  });
});
