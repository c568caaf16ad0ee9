import assert from "node:assert/strict";

async function start(name: string, env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "start", name],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).split("\n")
    .filter((line) => line !== "" && !line.startsWith("Warning Permissions in the config file"));
  return { code: output.code, stderr };
}

Deno.test("deno task start stops a bad start with exit code 2 and one line", async (t) => {
  await t.step("a bad runtime variable is named", async () => {
    const { code, stderr } = await start("model", { HTTP_PORT: "http" });
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start "model": Invalid HTTP_PORT "http": expected a whole number',
    ]);
  });
  await t.step("a bad variable of the function's own is named", async () => {
    const { code, stderr } = await start("model", { MODEL: "forest" });
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start "model": Invalid MODEL "forest": expected one of linear, sum',
    ]);
  });
  await t.step("an unknown function is named with the functions there are", async () => {
    const { code, stderr } = await start("forest", {});
    assert.equal(code, 2);
    assert.deepEqual(stderr, [
      'Cannot start function "forest": there is no functions/forest/mod.ts; ' +
      "the functions are features, metrics, model, plot",
    ]);
  });
});
