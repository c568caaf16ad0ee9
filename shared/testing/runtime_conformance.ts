/**
 * The runtime's delivery behaviour, the same cases against every transport:
 * ack, retry then dead-letter, bad input, fan-out, competing consumers, a
 * consumer crash, single-active replicas and their failover, graceful shutdown and a publish that waits for a queue.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { delay } from "../runtime/backoff.ts";
import { type Config, loadConfig } from "../runtime/config.ts";
import { defineConsumer, defineTicker, type MessageOf, type Replicas } from "../define_function.ts";
import { PermanentError } from "../errors.ts";
import { silentLogger } from "../logger.ts";
import { type Connect, type FunctionRunner, runFunction } from "../runtime/run_function.ts";
import { TEST_INPUT, TEST_OUTPUT, TEST_STREAMS, TEST_VALUES } from "./test_streams.ts";
import { configureFunction, type LoadedFunction } from "../runtime/load_function.ts";
import { deadLetterQueueName, queueName } from "../runtime/transport.ts";
import { waitFor } from "./wait_for.ts";

/** A raw message, for input the runtime itself would never send. */
export interface RawMessage {
  readonly body: Uint8Array;
  readonly messageId?: string;
  readonly contentType?: string;
}

/** What the suite needs from a transport under test. */
export interface RuntimeHarness {
  /** Opens connections to the broker under test; `crash()` drops them all abruptly. */
  connection(): { connect: Connect; crash(): void };
  /** Publishes bytes to a stream as they are. */
  publishRaw(stream: string, message: RawMessage): Promise<void>;
  /** Removes and returns a queue's ready messages with their `x-death-reason`. */
  drainQueue(queue: string): Promise<{ body: string; reason: string | undefined }[]>;
  /** Deletes a consumer group's queues (its single-active one too) and their dead-letter queues. */
  deleteGroup(group: string, streams: readonly string[]): Promise<void>;
}

const config: Config = loadConfig({
  RETRY_DELAY_MS: "10",
  HTTP_HOST: "127.0.0.1",
  HTTP_PORT: "0",
  MAX_ATTEMPTS: "3",
  PREFETCH: "10",
  SHUTDOWN_TIMEOUT_MS: "3000",
});

let groups = 0;
function uniqueGroup(label: string): string {
  return `test-${label}-${Deno.pid}-${Date.now().toString(36)}-${++groups}`;
}

function envelope(id: string, data: unknown): RawMessage {
  return {
    body: Buffer.from(JSON.stringify({ id, timestamp: 1, data })),
    messageId: id,
    contentType: "application/json",
  };
}

function value(id: string, value: number): RawMessage {
  return envelope(id, { value });
}

type Handle = (message: MessageOf<typeof TEST_VALUES>) => Promise<void> | void;
type BothHandle = (
  message: MessageOf<typeof TEST_VALUES | typeof TEST_INPUT>,
) => Promise<void> | void;

function consumer(name: string, handle: Handle): LoadedFunction {
  return configureFunction(
    name,
    defineConsumer({
      consumes: [TEST_VALUES],
      publishes: [],
      setup: () => undefined,
      handle: (message) => handle(message),
    }),
    {},
  );
}

/** `<stream>:<id>`, checked against the schema the runtime decoded it with. */
function label(message: MessageOf<typeof TEST_VALUES | typeof TEST_INPUT>): string {
  const valid = message.stream === TEST_VALUES.name ? "value" in message.data : "n" in message.data;
  assert.ok(valid, `message "${message.id}" decoded with the wrong schema`);
  return `${message.stream}:${message.id}`;
}

/** A consumer of two streams whose replicas share them as `replicas` says. */
function bothStreams(name: string, handle: BothHandle, replicas: Replicas): LoadedFunction {
  return configureFunction(
    name,
    defineConsumer({
      consumes: [TEST_VALUES, TEST_INPUT],
      publishes: [],
      replicas,
      setup: () => undefined,
      handle: (message) => handle(message),
    }),
    {},
  );
}

/** Runs every case as a step of `t` against the harness's transport. */
export async function runtimeConformance(
  t: Deno.TestContext,
  harness: RuntimeHarness,
): Promise<void> {
  const runners: FunctionRunner[] = [];
  const used: string[] = [];
  async function start(
    name: string,
    handle: Handle,
    connect?: Connect,
    consumerGroup?: string,
  ): Promise<FunctionRunner> {
    return await run(consumer(name, handle), connect, consumerGroup);
  }
  /** A replica of a single-active consumer of test/values and test/input. */
  async function startSingle(name: string, handle: BothHandle, connect?: Connect) {
    return await run(bothStreams(name, handle, "single-active"), connect);
  }
  async function run(
    fn: LoadedFunction,
    connect?: Connect,
    consumerGroup?: string,
  ): Promise<FunctionRunner> {
    used.push(consumerGroup ?? fn.name);
    const runner = await runFunction(fn, { ...config, consumerGroup }, {
      logger: silentLogger,
      connect: connect ?? harness.connection().connect,
    });
    runners.push(runner);
    return runner;
  }
  const dlq = (group: string) => deadLetterQueueName(queueName(TEST_VALUES.name, group));
  async function publishValues(ids: readonly string[]): Promise<void> {
    for (const [i, id] of ids.entries()) await harness.publishRaw(TEST_VALUES.name, value(id, i));
  }
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  try {
    // First, while no queue is bound to any stream.
    await t.step("a publish waits until its stream has a queue", async () => {
      const group = uniqueGroup("late");
      const source = await runFunction(
        configureFunction(
          uniqueGroup("source"),
          defineTicker({
            publishes: [TEST_VALUES],
            intervalMs: () => 0,
            setup: () => ({ sent: 0 }),
            tick: async (state, ctx) => {
              if (state.sent === 3) return "done";
              state.sent++;
              await ctx.publish(TEST_VALUES, `late-${state.sent}`, { value: state.sent });
              return "continue";
            },
          }),
          {},
        ),
        config,
        { logger: silentLogger, connect: harness.connection().connect },
      );
      runners.push(source);
      await delay(300);
      const got: string[] = [];
      await start(group, (m) => void got.push(m.id));
      await waitFor("3 late messages", () => got.length >= 3);
      assert.deepEqual(got, ["late-1", "late-2", "late-3"]);
    });
    await t.step("acks handled messages and publishes confirmed ones onward", async () => {
      const seen: string[] = [];
      const relay = uniqueGroup("relay");
      const sink = uniqueGroup("sink");
      used.push(relay);
      const runner = await runFunction(
        configureFunction(
          relay,
          defineConsumer({
            consumes: [TEST_INPUT],
            publishes: [TEST_OUTPUT],
            setup: () => undefined,
            handle: (m, _s, ctx) => ctx.publish(TEST_OUTPUT, m.id, { n: m.data.n, by: "relay" }),
          }),
          {},
        ),
        config,
        { logger: silentLogger, connect: harness.connection().connect },
      );
      runners.push(runner);
      used.push(sink);
      runners.push(
        await runFunction(
          configureFunction(
            sink,
            defineConsumer({
              consumes: [TEST_OUTPUT],
              publishes: [],
              setup: () => undefined,
              handle: (m) => void seen.push(m.id),
            }),
            {},
          ),
          config,
          { logger: silentLogger, connect: harness.connection().connect },
        ),
      );
      const sent = ids("ack", 20);
      for (const [i, id] of sent.entries()) {
        await harness.publishRaw(TEST_INPUT.name, envelope(id, { n: i }));
      }
      await waitFor("20 predictions", () => seen.length >= 20);
      await delay(100);
      assert.deepEqual(seen.toSorted(), sent.toSorted());
      assert.ok(runner.ready());
    });

    await t.step("retries a failing handler, then dead-letters it with the reason", async () => {
      const calls = new Map<string, number>();
      const group = uniqueGroup("retry");
      await start(group, (m) => {
        calls.set(m.id, (calls.get(m.id) ?? 0) + 1);
        if (m.id === "poison") throw new Error("boom");
      });
      await publishValues(["before", "poison", "after"]);
      await waitFor("the poison message dead-lettered", async () => {
        const dead = await harness.drainQueue(dlq(group));
        if (dead.length === 0) return false;
        assert.deepEqual(dead.map((d) => [JSON.parse(d.body).id, d.reason]), [
          ["poison", "Gave up after 3 attempts: boom"],
        ]);
        return true;
      });
      assert.deepEqual(Object.fromEntries(calls), { before: 1, poison: 3, after: 1 });
    });

    await t.step(
      "dead-letters bad input at once; valid messages around it are handled",
      async () => {
        const handled: string[] = [];
        const group = uniqueGroup("bad");
        await start(group, (m) => {
          handled.push(m.id);
          if (m.id === "refused") throw new PermanentError("Cannot use y: refused by handler");
        });
        const bad: [RawMessage, string][] = [
          [{ body: Buffer.from("not json") }, "body is not UTF-8 JSON"],
          [envelope("no-value", { y: 1 }), 'field "data.value" is missing'],
          [
            { ...value("typed", 1), contentType: "text/plain" },
            'content type "text/plain" is not "application/json"',
          ],
          // Over MAX_MESSAGE_BYTES (8192 by default): refused unread, moved by the broker.
          [{ body: Buffer.alloc(9000, 0x20) }, "body of 9000 bytes exceeds MAX_MESSAGE_BYTES"],
        ];
        await harness.publishRaw(TEST_VALUES.name, value("first", 1));
        for (const [message] of bad) await harness.publishRaw(TEST_VALUES.name, message);
        await publishValues(["refused", "last"]);
        await waitFor("both valid messages", () => handled.includes("last"));
        let dead: { body: string; reason: string | undefined }[] = [];
        await waitFor("5 dead letters", async () => {
          dead = dead.concat(await harness.drainQueue(dlq(group)));
          return dead.length >= 5;
        });
        assert.deepEqual(handled, ["first", "refused", "last"]);
        // A rejected message and a republished one travel on different channels: any order.
        assert.deepEqual(
          dead.map((d) => d.reason).toSorted(),
          [
            ...bad.map(([, reason]) => `Cannot parse message "${TEST_VALUES.name}": ${reason}`),
            "Cannot use y: refused by handler",
          ].toSorted(),
        );
      },
    );

    await t.step("fans out: two functions each get every message", async () => {
      const a: string[] = [];
      const b: string[] = [];
      await start(uniqueGroup("fan-a"), (m) => void a.push(m.id));
      await start(uniqueGroup("fan-b"), (m) => void b.push(m.id));
      const sent = ids("fan", 30);
      await publishValues(sent);
      await waitFor("both functions got 30", () => a.length >= 30 && b.length >= 30);
      await delay(100);
      assert.deepEqual(a.toSorted(), sent.toSorted());
      assert.deepEqual(b.toSorted(), sent.toSorted());
    });

    await t.step(
      "CONSUMER_GROUP: one function deployed twice, each deployment gets every message",
      async () => {
        const name = uniqueGroup("deployed");
        const a: string[] = [];
        const b: string[] = [];
        await start(name, (m) => void a.push(m.id), undefined, `${name}-a`);
        await start(name, (m) => void b.push(m.id), undefined, `${name}-b`);
        const sent = ids("groups", 30);
        await publishValues(sent);
        await waitFor("both deployments got 30", () => a.length >= 30 && b.length >= 30);
        await delay(100);
        assert.deepEqual(a.toSorted(), sent.toSorted());
        assert.deepEqual(b.toSorted(), sent.toSorted());
      },
    );

    await t.step("competing replicas split the work without loss or duplication", async () => {
      const group = uniqueGroup("compete");
      const byReplica: string[][] = [[], []];
      const slow = (replica: number) => async (m: MessageOf<typeof TEST_VALUES>) => {
        await delay(2);
        byReplica[replica]!.push(m.id);
      };
      await start(group, slow(0));
      await start(group, slow(1));
      const sent = ids("compete", 200);
      await publishValues(sent);
      await waitFor("200 handled", () => byReplica[0]!.length + byReplica[1]!.length >= 200);
      await delay(100);
      const all = byReplica.flat();
      assert.equal(all.length, 200);
      assert.deepEqual(all.toSorted(), sent.toSorted());
      assert.ok(byReplica[0]!.length > 0 && byReplica[1]!.length > 0, "both replicas worked");
    });

    await t.step("unacked messages survive a consumer crash and reach the next one", async () => {
      const group = uniqueGroup("crash");
      const first = harness.connection();
      const held: string[] = [];
      const crashed = await start(group, (m) => {
        held.push(m.id);
        return new Promise(() => {}); // never finishes, like a process killed mid-work
      }, first.connect);
      const sent = ids("crash", 25);
      await publishValues(sent);
      await waitFor("the first consumer to hold its prefetch", () => held.length === 10);
      first.crash();
      const taken: string[] = [];
      await start(group, (m) => void taken.push(m.id));
      await waitFor("the second consumer to get all 25", () => taken.length >= 25);
      await delay(100);
      assert.deepEqual(taken.toSorted(), sent.toSorted());
      runners.splice(runners.indexOf(crashed), 1);
      void crashed.close();
    });

    await t.step(
      "single-active replicas: one handles both streams, the next takes over its crash",
      async () => {
        const group = uniqueGroup("single");
        const first = harness.connection();
        const held: string[] = [];
        const taken: string[] = [];
        const crashed = await startSingle(group, (m) => {
          held.push(label(m));
          return new Promise(() => {}); // never finishes, like a process killed mid-work
        }, first.connect);
        await startSingle(group, (m) => void taken.push(label(m)));
        const sent = [...ids("single", 15).map((id) => `test/values:${id}`)];
        await publishValues(ids("single", 15));
        for (const [n, id] of ids("single", 15).entries()) {
          await harness.publishRaw(TEST_INPUT.name, envelope(id, { n }));
          sent.push(`test/input:${id}`);
        }
        await waitFor("the active replica to hold its prefetch", () => held.length === 10);
        await delay(100);
        assert.equal(taken.length, 0, "the standby received nothing while the other was active");
        first.crash();
        await waitFor("the standby to get all 30", () => taken.length >= 30);
        await delay(100);
        assert.deepEqual(taken.toSorted(), sent.toSorted());
        assert.equal(held.length, 10);
        runners.splice(runners.indexOf(crashed), 1);
        void crashed.close();
      },
    );

    await t.step("graceful shutdown finishes in-flight work and loses nothing", async () => {
      const group = uniqueGroup("shutdown");
      const done: string[] = [];
      const slowly = async (m: MessageOf<typeof TEST_VALUES>) => {
        await delay(30);
        done.push(m.id);
      };
      const runner = await start(group, slowly);
      const sent = ids("stop", 60);
      await publishValues(sent);
      await waitFor("a few handled", () => done.length >= 5);
      await Promise.all([runner.close(), runner.close()]);
      assert.equal(runner.ready(), false);
      const atStop = done.length;
      await start(group, slowly);
      await waitFor("the rest after a restart", () => done.length >= 60, { timeoutMs: 20_000 });
      await delay(100);
      assert.ok(atStop < 60, "shutdown happened mid-stream");
      assert.deepEqual(done.toSorted(), sent.toSorted(), "each message handled exactly once");
    });
  } finally {
    await Promise.all(runners.map((runner) => runner.close()));
    for (const group of used) {
      await harness.deleteGroup(group, TEST_STREAMS.map((stream) => stream.name));
    }
  }
}
