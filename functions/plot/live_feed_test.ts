import assert from "node:assert/strict";
import { LiveFeed } from "./live_feed.ts";
import type { LiveSnapshot } from "./live_snapshot.ts";

function snapshot(version: number, rows: number): LiveSnapshot {
  return {
    version,
    series: [{
      name: "linear",
      champion: true,
      rows,
      mae: 2,
      rmse: 3,
      rowsPerSecond: null,
      lastRowAt: 1000,
      edges: [1, 3],
      counts: [rows],
    }],
    verdicts: [],
  };
}

function event(value: LiveSnapshot): string {
  return `event: snapshot\nid: ${value.version}\nretry: 2000\ndata: ${JSON.stringify(value)}\n\n`;
}

async function next(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const { value, done } = await reader.read();
  assert.equal(done, false);
  return new TextDecoder().decode(value);
}

Deno.test("LiveFeed.subscribe() sends the newest snapshot, then each newer one", async () => {
  const feed = new LiveFeed();
  feed.publish(snapshot(1, 10));
  const reader = feed.subscribe()!.getReader();
  assert.equal(await next(reader), event(snapshot(1, 10)));
  const waiting = next(reader);
  feed.publish(snapshot(2, 20));
  assert.equal(await waiting, event(snapshot(2, 20)));
  assert.equal(feed.clients, 1);
  feed.close();
  assert.deepEqual(await reader.read(), { value: undefined, done: true });
  assert.equal(feed.clients, 0);
});

Deno.test("LiveFeed.subscribe() waits for a first snapshot, and a slow page skips versions", async () => {
  const feed = new LiveFeed();
  const reader = feed.subscribe()!.getReader();
  const first = next(reader);
  feed.publish(snapshot(1, 10));
  assert.equal(await first, event(snapshot(1, 10)));
  feed.publish(snapshot(2, 20));
  feed.publish(snapshot(3, 30));
  assert.equal(await next(reader), event(snapshot(3, 30)));
  await reader.cancel();
  assert.equal(feed.clients, 0);
  feed.close();
});

Deno.test("LiveFeed.subscribe() refuses pages beyond maxClients and after close()", async () => {
  const feed = new LiveFeed({ maxClients: 2 });
  const streams = [feed.subscribe(), feed.subscribe()];
  assert.equal(feed.subscribe(), undefined);
  await streams[0]!.cancel();
  const third = feed.subscribe();
  assert.notEqual(third, undefined);
  feed.close();
  feed.close();
  assert.equal(feed.subscribe(), undefined);
  assert.equal(feed.clients, 0);
});

Deno.test("LiveFeed.publish() refuses a version that is not newer", () => {
  const feed = new LiveFeed();
  feed.publish(snapshot(2, 1));
  assert.throws(() => feed.publish(snapshot(2, 1)), {
    name: "RangeError",
    message: 'Cannot publish snapshot "2": version 2 was published',
  });
  assert.equal(feed.snapshot?.version, 2);
});
