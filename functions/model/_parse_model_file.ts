import type { z } from "zod";

/**
 * Parses the text of a model file against its schema; `source` names the file
 * in error messages. Throws a `SyntaxError` for text that is not JSON and a
 * `TypeError` naming the first field at fault for JSON of the wrong shape.
 */
export function parseModelFile<T>(text: string, source: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SyntaxError(`Cannot load the model "${source}": not valid JSON: ${detail}`, {
      cause,
    });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join(".");
    const detail = issue.code === "unrecognized_keys"
      ? `field "${field}" has an unknown key "${issue.keys[0]}"`
      : field === ""
      ? `the file ${issue.message}`
      : `field "${field}" ${issue.message}`;
    throw new TypeError(`Cannot load the model "${source}": ${detail}`, { cause: result.error });
  }
  return result.data;
}

/** The error option of a zod schema: "is missing" when absent, else `message`. */
export function missingOr(message: string) {
  return {
    error: (issue: { input: unknown }) => issue.input === undefined ? "is missing" : message,
  };
}
