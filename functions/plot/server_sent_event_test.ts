import assert from "node:assert/strict";
import { serverSentEvent } from "./server_sent_event.ts";

Deno.test("serverSentEvent() encodes the event, its id, retry and each data line", () => {
  assert.equal(
    serverSentEvent({ event: "snapshot", id: "7", retryMs: 2000, data: '{"a":1}\nsecond' }),
    'event: snapshot\nid: 7\nretry: 2000\ndata: {"a":1}\ndata: second\n\n',
  );
  assert.equal(serverSentEvent({ event: "e", data: "" }), "event: e\ndata: \n\n");
});

Deno.test("serverSentEvent() refuses a line break in the event or the id", () => {
  assert.throws(() => serverSentEvent({ event: "a\nb", data: "x" }), {
    name: "TypeError",
    message: 'Cannot encode a server-sent event: event "a\nb" has a line break',
  });
  assert.throws(() => serverSentEvent({ event: "a", id: "1\r", data: "x" }), {
    name: "TypeError",
    message: 'Cannot encode a server-sent event: id "1\r" has a line break',
  });
});
