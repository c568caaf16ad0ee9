/**
 * The runtime's Prometheus metrics, one registry per running function so that
 * several functions can share a process (`deno task dev`).
 *
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Counter as FnCounter, Gauge as FnGauge, MetricLabels } from "../define_function.ts";

/** Why a message went to its dead-letter queue. */
export type DeadLetterKind = "invalid" | "permanent" | "exhausted";

/** One stream's counters and histogram, with their label already bound. */
export interface StreamInstruments {
  readonly consumed: { inc(): void };
  readonly published: { inc(): void };
  readonly failed: { inc(): void };
  readonly retried: { inc(): void };
  readonly handlerSeconds: { observe(seconds: number): void };
}

/** The metrics a runtime keeps. */
export class RuntimeMetrics {
  /** The registry `/metrics` serves. */
  readonly registry: Registry = new Registry();
  readonly consumed: Counter<"stream">;
  readonly published: Counter<"stream">;
  readonly failed: Counter<"stream">;
  readonly retried: Counter<"stream">;
  readonly deadLettered: Counter<"stream" | "kind">;
  readonly handlerSeconds: Histogram<"stream">;
  readonly connected: Gauge;
  readonly reconnects: Counter;
  readonly ticks: Counter<"result">;
  #own = new Map<string, Counter | Gauge>();
  #streams = new Map<string, StreamInstruments>();

  /** Creates the metrics of one function. */
  constructor(fn: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ function: fn });
    const stream = ["stream"] as const;
    this.consumed = new Counter({
      name: "pipeline_messages_consumed_total",
      help: "Messages handled and acked",
      labelNames: stream,
      registers,
    });
    this.published = new Counter({
      name: "pipeline_messages_published_total",
      help: "Messages confirmed by the broker",
      labelNames: stream,
      registers,
    });
    this.failed = new Counter({
      name: "pipeline_messages_failed_total",
      help: "Handler failures (each retry counts)",
      labelNames: stream,
      registers,
    });
    this.retried = new Counter({
      name: "pipeline_messages_retried_total",
      help: "Messages put back for another attempt",
      labelNames: stream,
      registers,
    });
    this.deadLettered = new Counter({
      name: "pipeline_messages_dead_lettered_total",
      help: "Messages moved to a dead-letter queue, by kind: invalid, permanent, exhausted",
      labelNames: ["stream", "kind"] as const,
      registers,
    });
    this.handlerSeconds = new Histogram({
      name: "pipeline_handler_duration_seconds",
      help: "Time from delivery to settlement",
      labelNames: stream,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.connected = new Gauge({
      name: "pipeline_connection_up",
      help: "1 while connected to the broker",
      registers,
    });
    this.reconnects = new Counter({
      name: "pipeline_reconnects_total",
      help: "Connections recovered after a loss",
      registers,
    });
    this.ticks = new Counter({
      name: "pipeline_ticks_total",
      help: "Ticks of a timer-driven function, by result",
      labelNames: ["result"] as const,
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: "pipeline_" });
  }

  /**
   * The instruments of one stream, bound once: prom-client would otherwise hash
   * the labels on every message (it showed in the bench's CPU profile).
   */
  stream(stream: string): StreamInstruments {
    let bound = this.#streams.get(stream);
    if (bound === undefined) {
      const labels = { stream };
      bound = {
        consumed: this.consumed.labels(labels),
        published: this.published.labels(labels),
        failed: this.failed.labels(labels),
        retried: this.retried.labels(labels),
        handlerSeconds: this.handlerSeconds.labels(labels),
      };
      this.#streams.set(stream, bound);
    }
    return bound;
  }

  /**
   * A function's own counter, created once per name; with `labels`, the child
   * for those values (every call for a name gives the same label names).
   */
  counter(name: string, help: string, labels?: MetricLabels): FnCounter {
    const key = `pipeline_${name}_total`;
    const counter = this.#ownMetric(
      key,
      () =>
        new Counter({
          name: key,
          help,
          labelNames: labelNames(labels),
          registers: [this.registry],
        }),
    ) as Counter;
    return labels === undefined ? counter : counter.labels(labels);
  }

  /** A function's own gauge, created once per name; `labels` as for {@linkcode counter}. */
  gauge(name: string, help: string, labels?: MetricLabels): FnGauge {
    const key = `pipeline_${name}`;
    const gauge = this.#ownMetric(
      key,
      () =>
        new Gauge({ name: key, help, labelNames: labelNames(labels), registers: [this.registry] }),
    ) as Gauge;
    return labels === undefined ? gauge : gauge.labels(labels);
  }

  #ownMetric(key: string, create: () => Counter | Gauge): Counter | Gauge {
    let metric = this.#own.get(key);
    if (metric === undefined) {
      metric = create();
      this.#own.set(key, metric);
    }
    return metric;
  }
}

function labelNames(labels: MetricLabels | undefined): string[] {
  return labels === undefined ? [] : Object.keys(labels);
}
