import assert from "node:assert/strict";
import { summarizeProfile } from "./_cpu_profile.ts";

Deno.test("summarizeProfile() ranks functions by self time, idle left out", () => {
  const frame = (functionName: string, url = "", lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
  });
  const profile = {
    startTime: 0,
    endTime: 2_000_000,
    nodes: [
      { id: 1, callFrame: frame("(idle)"), hitCount: 50 },
      {
        id: 2,
        callFrame: frame("parseJson", "file:///work/main/shared/codec.ts", 57),
        hitCount: 30,
      },
      {
        id: 3,
        callFrame: frame("", "file:///x/node_modules/amqplib/lib/codec.js", 9),
        hitCount: 10,
      },
      {
        id: 4,
        callFrame: frame("parseJson", "file:///work/main/shared/codec.ts", 57),
        hitCount: 10,
      },
      { id: 5, callFrame: frame("(garbage collector)"), hitCount: 0 },
    ],
  };
  assert.deepEqual(summarizeProfile(profile, 5), [
    "busy 50% of 2.0 s",
    "80.0% parseJson (shared/codec.ts:58)",
    "20.0% (anonymous) (amqplib/lib/codec.js:10)",
  ]);
});
