/**
 * The pipeline's functions as processes on one broker (a node or a cluster),
 * for the fault suite: start, kill and restart them, then read what the
 * source confirmed and the CSV the metrics function wrote.
 *
 * @module
 */
import { loadDiabetes } from "../_load_diabetes.ts";
import { loadModel } from "../model/load_model.ts";
import type { ModelKind } from "../model/model.ts";
import { confirmedObservations, startedObservations } from "./check_metric_log.ts";
import { type FunctionProcess, spawnFunction } from "../../shared/testing/function_process.ts";

/** What the source runs confirmed and started, and how `model` (the champion's by default) scores a row. */
export async function expectation(runs: FunctionProcess[], model: ModelKind = "linear") {
  const rows = await loadDiabetes("./data");
  const fitted = await loadModel("./data", model);
  const logs = runs.filter((p) => p.name === "features").flatMap((p) => p.logs);
  return {
    confirmed: confirmedObservations(logs),
    started: startedObservations(logs),
    target: (row: number) => rows[row]!.target,
    predict: (row: number) => fitted.predict(rows[row]!.features),
  };
}

/** The CSV's text, or its header alone while it does not exist yet. */
export async function readCsv(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "id,y_true,y_pred,error\n";
  }
}

/** Every run of every function, the current one of each by name. */
export class ProcessPipeline {
  readonly runs: FunctionProcess[] = [];
  readonly #current = new Map<string, FunctionProcess>();

  /** `url` is what the functions get as `AMQP_URL`. */
  constructor(readonly url: string, readonly logsDir: string) {}

  /**
   * Starts a function, known afterwards as `as` (a second deployment of one
   * function needs a name of its own), and waits for its "function started"
   * line: a consumer's queues exist from then on, so a source started after it
   * publishes nothing that misses it. The source logs at debug level (its confirms).
   */
  async start(
    name: string,
    extra: Record<string, string> = {},
    as = name,
  ): Promise<FunctionProcess> {
    const process = await spawnFunction(name, {
      AMQP_URL: this.url,
      LOGS_DIR: this.logsDir,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      LOG_LEVEL: name === "features" ? "debug" : "info",
      ...extra,
    });
    this.runs.push(process);
    this.#current.set(as, process);
    await process.waitForLog("start", (r) => r.event === "function started", {
      timeoutMs: 30_000,
    });
    return process;
  }

  /** The latest run of a function. */
  current(name: string): FunctionProcess {
    return this.#current.get(name)!;
  }

  /** SIGKILL to the current run of a function. */
  async kill(name: string): Promise<void> {
    const process = this.current(name);
    process.kill("SIGKILL");
    await process.exited;
  }

  /** Observations all source runs saw confirmed so far. */
  confirmed(): number {
    return confirmedObservations(
      this.runs.filter((p) => p.name === "features").flatMap((p) => p.logs),
    )
      .size;
  }

  /** SIGTERM to every current run; resolves with their exit codes. */
  async stop(): Promise<number[]> {
    const live = [...this.#current.values()];
    live.forEach((p) => p.kill("SIGTERM"));
    return await Promise.all(live.map((p) => p.exited));
  }

  /** SIGKILL to every run still alive. */
  async close(): Promise<void> {
    this.runs.forEach((p) => p.kill("SIGKILL"));
    await Promise.all(this.runs.map((p) => p.exited));
  }
}
