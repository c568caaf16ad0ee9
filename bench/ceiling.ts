/**
 * Stage 1, the ceiling: what the broker itself sustains for one durable
 * queue with the pipeline's settings, with no pipeline code in the way. A
 * bare amqplib publisher and consumer run at once over their own
 * connections: a quorum queue with the pipeline's arguments, persistent
 * ~300-byte messages, publisher confirms with many in flight, the
 * pipeline's prefetch and acks coalesced per event-loop turn with
 * `multiple`, as the runtime's ack batcher sends them.
 *
 * @module
 */
import { type Channel, connect, type Message } from "amqplib";
import { setImmediate } from "node:timers";
import { v7 } from "uuid";
import { encodeMessage } from "../shared/runtime/codec.ts";
import { deadLetterQueueName } from "../shared/runtime/transport.ts";
import { loadDiabetes } from "../functions/_load_diabetes.ts";
import { openPublisher, pipelineQueueArguments } from "./_amqp.ts";
import type { FEATURES_X } from "../functions/_streams.ts";

/** Options of {@linkcode measureCeiling}. */
export interface MeasureCeilingOptions {
  /** Publishes unconfirmed at once. @default 512 */
  window?: number;
  /** The consumer's prefetch, as `PREFETCH`. @default 200 */
  prefetch?: number;
  /** Where the data set is, for a real features/X body. @default "./data" */
  dataDir?: string;
}

/** What {@linkcode measureCeiling} found. */
export interface CeilingResult {
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly payloadBytes: number;
  readonly window: number;
  readonly prefetch: number;
  /** `basic.ack` frames the consumer sent. */
  readonly ackFrames: number;
}

/** Publishes and consumes `messages` messages concurrently on a fresh queue. */
export async function measureCeiling(
  url: string,
  messages: number,
  options: MeasureCeilingOptions = {},
): Promise<CeilingResult> {
  const window = options.window ?? 512;
  const prefetch = options.prefetch ?? 200;
  const [row] = await loadDiabetes(options.dataDir ?? "./data");
  const sample = encodeMessage<typeof FEATURES_X>(v7(), row!.features, Date.now());
  const queue = `bench.ceiling.${Deno.pid}.${Date.now()}`;
  const connection = await connect(url);
  const output = await openPublisher(url, window);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(deadLetterQueueName(queue), {
      durable: true,
      arguments: { "x-queue-type": "quorum" },
    });
    await channel.assertQueue(queue, { durable: true, arguments: pipelineQueueArguments(queue) });
    await channel.prefetch(prefetch, false);
    const consumed = consumeAll(channel, queue, messages);
    const started = performance.now();
    for (let i = 0; i < messages; i++) {
      await output.publisher.publish("", queue, { ...sample, id: `${sample.id}-${i}` });
    }
    await output.publisher.settled();
    const ackFrames = await consumed.done;
    const seconds = (consumed.lastAt() - started) / 1000;
    if (output.publisher.failed > 0) {
      throw new Error(`Cannot measure the ceiling: ${output.publisher.failed} publishes failed`);
    }
    await channel.deleteQueue(queue);
    await channel.deleteQueue(deadLetterQueueName(queue));
    return {
      messages,
      seconds,
      messagesPerSecond: messages / seconds,
      payloadBytes: sample.body.byteLength,
      window,
      prefetch,
      ackFrames,
    };
  } finally {
    await output.close();
    await connection.close();
  }
}

/** Consumes until `count` messages came, acking like the runtime's ack batcher. */
function consumeAll(channel: Channel, queue: string, count: number) {
  let received = 0;
  let lastAt = 0;
  let highest = 0;
  let scheduled = false;
  let frames = 0;
  const all = Promise.withResolvers<number>();
  const flush = () => {
    scheduled = false;
    frames++;
    channel.ack({ fields: { deliveryTag: highest } } as Message, true);
    if (received === count) all.resolve(frames);
  };
  channel.consume(queue, (message) => {
    if (message === null) return all.reject(new Error(`The queue "${queue}" was deleted`));
    received++;
    lastAt = performance.now();
    highest = message.fields.deliveryTag;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }, { noAck: false }).catch(all.reject);
  return { done: all.promise, lastAt: () => lastAt };
}
