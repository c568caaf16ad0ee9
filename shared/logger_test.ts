import assert from "node:assert/strict";
import { createLogger } from "./logger.ts";

Deno.test("createLogger() writes one JSON object a line at or above its level", () => {
  const lines: string[] = [];
  const logger = createLogger("model", {
    level: "info",
    write: (l) => lines.push(l),
    now: () => 0,
  });
  logger.debug("hidden");
  logger.info("message handled", { messageId: "id-1" });
  logger.error("failed", { error: new RangeError("too big") });
  assert.deepEqual(lines.map((line) => JSON.parse(line)), [
    {
      time: "1970-01-01T00:00:00.000Z",
      level: "info",
      function: "model",
      event: "message handled",
      messageId: "id-1",
    },
    {
      time: "1970-01-01T00:00:00.000Z",
      level: "error",
      function: "model",
      event: "failed",
      error: { name: "RangeError", message: "too big" },
    },
  ]);
});
