/**
 * A stream: a name publishers address and the schema of its payload. The
 * application declares its streams; the runtime only carries them.
 *
 * @module
 */
import type { z } from "zod";

/** A named stream whose messages carry `Data`. */
export interface Stream<Name extends string = string, Data = unknown> {
  /** The name, exactly as the broker shows it. */
  readonly name: Name;
  /** Validates a payload; unknown keys should be refused. */
  readonly schema: z.ZodType<Data>;
}

/** The payload type a stream carries. */
export type StreamData<S extends Stream> = S extends Stream<string, infer Data> ? Data : never;

/** Declares a stream (identity at run time, typed at compile time). */
export function defineStream<const Name extends string, Schema extends z.ZodType>(
  name: Name,
  schema: Schema,
): Stream<Name, z.output<Schema>> {
  return Object.freeze({ name, schema }) as Stream<Name, z.output<Schema>>;
}
