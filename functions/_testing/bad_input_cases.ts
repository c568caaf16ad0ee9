/**
 * The bad `features/X` messages of bad_input_test.ts, each with the exact
 * reason it must be dead-lettered with.
 *
 * @module
 */
import { FEATURE_NAMES, type Features } from "../_streams.ts";
import { envelope, type RawProperties } from "./bad_input_broker.ts";

/** One bad message and its expected `x-death-reason`. */
export interface BadCase {
  readonly name: string;
  readonly body: string | Uint8Array;
  readonly properties: RawProperties;
  readonly reason: string;
  /** "invalid" when the codec refuses it, "permanent" when the handler does. */
  readonly kind: "invalid" | "permanent";
}

/** The features of valid observation `i`: small values, like the scaled data set's. */
export function features(i: number): Features {
  return Object.fromEntries(
    FEATURE_NAMES.map((name, k) => [name, ((k + i) % 7 - 3) / 100]),
  ) as Features;
}

const PATTERN = 'field "id" must be 1 to 128 letters, digits or . _ : -';

/** An envelope whose `data.bmi` is the raw JSON text `bmiText`. */
function withBmi(id: string, bmiText: string): string {
  return envelope(id, { ...features(0), bmi: "@BMI@" }).replace('"@BMI@"', bmiText);
}

function padded(id: string, bytes: number): string {
  const body = envelope(id, features(0));
  return body.slice(0, -1) + " ".repeat(bytes - body.length) + "}";
}

/** Features so large that a linear model's prediction leaves Y_RANGE. */
export const HUGE_FEATURES: Features = Object.fromEntries(
  FEATURE_NAMES.map((name) => [name, 1e6]),
) as Features;

/** The bad messages; `hugePrediction` is what the model predicts for {@linkcode HUGE_FEATURES}. */
export function badFeatureCases(hugePrediction: number): BadCase[] {
  const f = features(0);
  const { bmi: _bmi, ...noBmi } = f;
  const longBody = envelope("x".repeat(10_000), f);
  const cases: [string, string | Uint8Array, RawProperties, string][] = [
    ["not JSON", "not json {", {}, "body is not UTF-8 JSON"],
    ["not UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), {}, "body is not UTF-8 JSON"],
    ["JSON null", "null", {}, "body must be an object, got null"],
    ["an array", "[1,2]", {}, "body must be an object, got an array"],
    ["a string", '"text"', {}, "body must be an object, got a string"],
    ["missing id", JSON.stringify({ timestamp: 1, data: f }), {}, 'field "id" is missing'],
    ["empty id", envelope("", f), {}, PATTERN],
    ["id a number", envelope(42, f), {}, 'field "id" must be a string, got a number'],
    ["id of 129 characters", envelope("y".repeat(129), f), {}, PATTERN],
    ["id 10 kB long", longBody, {}, `body of ${longBody.length} bytes exceeds MAX_MESSAGE_BYTES`],
    ["a feature missing", envelope("x-bad-missing", noBmi), {
      messageId: "x-bad-missing",
    }, 'field "data.bmi" is missing'],
    ["an extra feature", envelope("x-bad-extra", { ...f, extra: 1 }), {
      messageId: "x-bad-extra",
    }, 'unknown field "data.extra"'],
    ["a non-numeric feature", withBmi("x-bad-text", '"high"'), {
      messageId: "x-bad-text",
    }, 'field "data.bmi" must be a number, got a string'],
    ["NaN as text", withBmi("x-bad-nan", '"NaN"'), {
      messageId: "x-bad-nan",
    }, 'field "data.bmi" must be a number, got a string'],
    ["Infinity as text", withBmi("x-bad-inf", '"Infinity"'), {
      messageId: "x-bad-inf",
    }, 'field "data.bmi" must be a number, got a string'],
    ["bare NaN", withBmi("x-bad-bare-nan", "NaN"), {
      messageId: "x-bad-bare-nan",
    }, "body is not UTF-8 JSON"],
    ["bare Infinity", withBmi("x-bad-bare-inf", "Infinity"), {
      messageId: "x-bad-bare-inf",
    }, "body is not UTF-8 JSON"],
    // JSON.parse turns 1e999 into Infinity: the one way a non-finite number gets in.
    ["1e999", withBmi("x-bad-1e999", "1e999"), {
      messageId: "x-bad-1e999",
    }, 'field "data.bmi" must be a number, got Infinity'],
    [
      "a timestamp that is not whole",
      JSON.stringify({ id: "x-bad-ts", timestamp: 1.5, data: f }),
      { messageId: "x-bad-ts" },
      'field "timestamp" must be a whole number, got a number',
    ],
    [
      "a negative timestamp",
      JSON.stringify({ id: "x-bad-neg-ts", timestamp: -1, data: f }),
      { messageId: "x-bad-neg-ts" },
      'field "timestamp" must be at least 0',
    ],
    ["a body over MAX_MESSAGE_BYTES", padded("x-bad-big", 5000), {
      messageId: "x-bad-big",
    }, "body of 5000 bytes exceeds MAX_MESSAGE_BYTES"],
    ["content type text/plain", envelope("x-bad-type", f), {
      messageId: "x-bad-type",
      contentType: "text/plain",
    }, 'content type "text/plain" is not "application/json"'],
    ["a messageId that is not the id", envelope("x-bad-mid", f), {
      messageId: "other",
    }, 'messageId "other" differs from id "x-bad-mid"'],
  ];
  return [
    ...cases.map(([name, body, properties, detail]): BadCase => ({
      name,
      body,
      properties,
      reason: `Cannot parse message "features/X": ${detail}`,
      kind: "invalid",
    })),
    {
      name: "features so large the prediction leaves Y_RANGE",
      body: envelope("x-bad-huge", HUGE_FEATURES),
      properties: { messageId: "x-bad-huge" },
      reason: `Cannot predict for message "x-bad-huge": prediction "${hugePrediction}" ` +
        "lies outside -10000..10000",
      kind: "permanent",
    },
  ];
}
