import assert from "node:assert/strict";
import { parseInstances } from "./parse_instances.ts";

Deno.test("parseInstances() reads --instance <group>=<function> VAR=value ...", async (t) => {
  await t.step("no arguments, no instances", () => {
    assert.deepEqual(parseInstances([]), []);
  });

  await t.step("two instances, each with its own variables and group", () => {
    assert.deepEqual(
      parseInstances([
        "--instance",
        "model-forest=model",
        "MODEL=forest",
        "MODEL_DELAY_MS=5",
        "--instance",
        "slow_source=features",
        "FEATURES_INTERVAL_MS=2000",
        "EMPTY=",
        "URL=a=b",
      ]),
      [
        {
          group: "model-forest",
          function: "model",
          env: { CONSUMER_GROUP: "model-forest", MODEL: "forest", MODEL_DELAY_MS: "5" },
        },
        {
          group: "slow_source",
          function: "features",
          env: {
            CONSUMER_GROUP: "slow_source",
            FEATURES_INTERVAL_MS: "2000",
            EMPTY: "",
            URL: "a=b",
          },
        },
      ],
    );
  });
});

Deno.test("parseInstances() refuses what it cannot read, naming the word", async (t) => {
  const cases: [string[], string][] = [
    [["--instance"], 'expected <group>=<function> after --instance, got ""'],
    [["--instance", "model"], 'expected <group>=<function> after --instance, got "model"'],
    [
      ["--instance", "Model=model"],
      'expected <group>=<function> after --instance, got "Model=model"',
    ],
    [["--instance", "a=b=c"], 'expected <group>=<function> after --instance, got "a=b=c"'],
    [["MODEL=forest"], 'expected --instance or VAR=value after an --instance, got "MODEL=forest"'],
    [
      ["--instance", "b=model", "forest"],
      'expected --instance or VAR=value after an --instance, got "forest"',
    ],
    [
      ["--instance", "b=model", "model=x"],
      'expected --instance or VAR=value after an --instance, got "model=x"',
    ],
    [["--instance", "b=model", "--instance", "b=model"], 'the group "b" is given twice'],
    [
      ["--instance", "b=model", "CONSUMER_GROUP=c"],
      '"CONSUMER_GROUP=c": the group is the name before "=" in --instance',
    ],
  ];
  for (const [args, detail] of cases) {
    await t.step(args.join(" "), () => {
      assert.throws(() => parseInstances(args), {
        name: "ConfigError",
        code: "CONFIG_INVALID",
        variable: "--instance",
        message: `Invalid --instance: ${detail}`,
      });
    });
  }
});
