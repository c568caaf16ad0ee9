/**
 * Streams of the platform's own tests, so that they name nothing of any
 * application: values in, results out, and one stream nobody consumes.
 *
 * @module
 */
import { z } from "zod";
import { defineStream } from "../define_stream.ts";

/** Numbers to handle: `{ value }`. */
export const TEST_VALUES = defineStream("test/values", z.strictObject({ value: z.number() }));

/** Input of a relay: `{ n }`. */
export const TEST_INPUT = defineStream("test/input", z.strictObject({ n: z.number() }));

/** Output of a relay: `{ n, by }`. */
export const TEST_OUTPUT = defineStream(
  "test/output",
  z.strictObject({ n: z.number(), by: z.string() }),
);

/** Every test stream, for clean-up. */
export const TEST_STREAMS = [TEST_VALUES, TEST_INPUT, TEST_OUTPUT] as const;
