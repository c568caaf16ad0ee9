import assert from "node:assert/strict";
import { functionCommand } from "./runtime/function_command.ts";

async function start(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).split("\n")
    .filter((line) => line !== "" && !line.startsWith("Warning Permissions in the config file"));
  return { code: output.code, stderr };
}

Deno.test("main stops a bad start with exit code 2 and one line", async (t) => {
  await t.step("a bad variable is named", async () => {
    const { code, stderr } = await start(functionCommand("model"), { HTTP_PORT: "http" });
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start "model": Invalid HTTP_PORT "http": expected a whole number',
    ]);
  });
  await t.step("an unknown function is named", async () => {
    const args = functionCommand("model").slice(0, -1).concat("forest");
    const { code, stderr } = await start(args, {});
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start function "forest": expected one of features, model, metrics, plot',
    ]);
  });
});
