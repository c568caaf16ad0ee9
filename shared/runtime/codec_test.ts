import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decodeDelivery, encodeMessage } from "./codec.ts";
import { MessageInvalidError } from "../errors.ts";
import type { Delivery } from "./transport.ts";
import { z } from "zod";
import { defineStream } from "../define_stream.ts";

// Streams of this test's own, shaped like an application's: ten named numbers, and one
// bounded number.
const finite = z.number().refine(Number.isFinite, "must be a finite number");
const NAMES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"] as const;
const FEATURES_X = defineStream(
  "features/X",
  z.strictObject(Object.fromEntries(NAMES.map((name) => [name, finite])) as Record<
    typeof NAMES[number],
    typeof finite
  >),
);
const FEATURES_Y_TRUE = defineStream(
  "features/Y_true",
  z.strictObject({
    y_true: finite.refine((y) => y >= -10_000 && y <= 10_000, "must lie in -10000..10000"),
  }),
);

const features = {
  age: 0.03,
  sex: 0.05,
  bmi: 0.06,
  bp: 0.02,
  s1: -0.04,
  s2: -0.03,
  s3: -0.04,
  s4: 0,
  s5: 0.02,
  s6: -0.02,
};

function delivery(body: string | Uint8Array, extra: Partial<Delivery> = {}): Delivery {
  return {
    body: typeof body === "string" ? Buffer.from(body) : body,
    messageId: undefined,
    contentType: "application/json",
    headers: {},
    attempt: 1,
    queue: "q",
    stream: "s",
    ack() {},
    retry: () => Promise.resolve(),
    deadLetter: () => Promise.resolve(),
    reject: () => Promise.resolve(),
    ...extra,
  };
}

function reason(body: string, extra: Partial<Delivery> = {}, maxBytes?: number): string {
  try {
    decodeDelivery(FEATURES_X, delivery(body, extra), maxBytes ? { maxBytes } : {});
  } catch (error) {
    assert.ok(error instanceof MessageInvalidError);
    assert.equal(error.code, "MESSAGE_INVALID");
    return error.message;
  }
  assert.fail("expected a MessageInvalidError");
}

Deno.test("encodeMessage() and decodeDelivery() round-trip a message", () => {
  const out = encodeMessage<typeof FEATURES_Y_TRUE>("abc-1", { y_true: 151 }, 1700);
  const message = decodeDelivery(
    FEATURES_Y_TRUE,
    delivery(out.body, { messageId: "abc-1", attempt: 2 }),
  );
  assert.deepEqual(message, {
    stream: "features/Y_true",
    id: "abc-1",
    timestamp: 1700,
    data: { y_true: 151 },
    attempt: 2,
  });
});

Deno.test("encodeMessage() refuses an id that is not a token", () => {
  assert.throws(() => encodeMessage("../etc", { y_true: 1 }, 0), TypeError);
});

Deno.test("decodeDelivery() names what is wrong with a bad message", async (t) => {
  const ok = (data: unknown, id: unknown = "id-1") => JSON.stringify({ id, timestamp: 1, data });
  const cases: [string, string, Partial<Delivery>?, number?][] = [
    ["not json", "body is not UTF-8 JSON"],
    ["null", "body must be an object, got null"],
    ["[1,2]", "body must be an object, got an array"],
    ['"text"', "body must be an object, got a string"],
    [JSON.stringify({ timestamp: 1, data: features }), 'field "id" is missing'],
    [ok(features, ""), 'field "id" must be 1 to 128 letters, digits or . _ : -'],
    [ok(features, 42), 'field "id" must be a string, got a number'],
    [ok(features, "x".repeat(10_000)), 'field "id" must be 1 to 128 letters, digits or . _ : -'],
    [ok({ ...features, bmi: undefined }), 'field "data.bmi" is missing'],
    [ok({ ...features, extra: 1 }), 'unknown field "data.extra"'],
    [ok({ ...features, bp: "high" }), 'field "data.bp" must be a number, got a string'],
    [ok({ ...features, bp: "NaN" }), 'field "data.bp" must be a number, got a string'],
    [
      ok(features).replace('"age":0.03', '"age":1e999'),
      'field "data.age" must be a number, got Infinity',
    ],
    [
      JSON.stringify({ id: "a", timestamp: 1.5, data: features }),
      'field "timestamp" must be a whole number, got a number',
    ],
    [
      JSON.stringify({ id: "a", timestamp: -1, data: features }),
      'field "timestamp" must be at least 0',
    ],
    [ok(features), 'content type "text/plain" is not "application/json"', {
      contentType: "text/plain",
    }],
    [ok(features), 'messageId "other" differs from id "id-1"', { messageId: "other" }],
    [ok(features), "body of 140 bytes exceeds 100", {}, 100],
  ];
  for (const [body, expected, extra, maxBytes] of cases) {
    await t.step(expected, () => {
      assert.equal(reason(body, extra, maxBytes), `Cannot parse message "features/X": ${expected}`);
    });
  }
});

Deno.test("decodeDelivery() checks y ranges", () => {
  assert.throws(
    () =>
      decodeDelivery(
        FEATURES_Y_TRUE,
        delivery(JSON.stringify({ id: "a", timestamp: 1, data: { y_true: 1e9 } })),
      ),
    {
      message:
        'Cannot parse message "features/Y_true": field "data.y_true" must lie in -10000..10000',
    },
  );
});
