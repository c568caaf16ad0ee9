/**
 * The pipeline as processes in a vhost of its own on a private RabbitMQ node,
 * for the join scenarios: start and stop functions, read the CSV, check it
 * against what the source confirmed, count dead letters, and time the last
 * row from metrics' own "row written" log lines.
 *
 * @module
 */
import { join } from "node:path";
import { checkMetricLog, confirmedObservations, type MetricLogCheck } from "./check_metric_log.ts";
import { type FunctionProcess, spawnFunction } from "../../shared/testing/function_process.ts";
import type { RabbitNode } from "../../shared/testing/rabbit_node.ts";
import { waitFor } from "../../shared/testing/wait_for.ts";
import { loadDiabetes } from "../_load_diabetes.ts";
import { loadModel } from "../model/load_model.ts";

/** The CSV's header line. */
export const HEADER = "id,y_true,y_pred,error";

/** What one scenario measured, printed as its figures line. */
export interface ScenarioFigures {
  readonly n: number;
  readonly check: MetricLogCheck;
  readonly deadLettered: number;
  /** From the moment the fault ended to metrics' last "row written" line. */
  readonly recoveryToLastRowMs: number;
}

/** One vhost's pipeline; see the module docs. */
export class JoinStack {
  readonly runs: FunctionProcess[] = [];
  readonly #current = new Map<string, FunctionProcess>();

  private constructor(
    readonly node: RabbitNode,
    readonly vhost: string,
    readonly url: string,
    readonly logsDir: string,
  ) {}

  /** Creates the vhost `name` on `node`; the CSV goes to `logsDir`. */
  static async open(node: RabbitNode, name: string, logsDir?: string): Promise<JoinStack> {
    await node.ctl("add_vhost", name);
    await node.ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
    const dir = logsDir ?? `./logs/join-${name}-${Deno.pid}-${Date.now()}`;
    await Deno.mkdir(dir, { recursive: true });
    return new JoinStack(node, name, `${node.url}/${encodeURIComponent(name)}`, dir);
  }

  /** The metric log's path. */
  get csvPath(): string {
    return join(this.logsDir, "metric_log.csv");
  }

  /** Starts `name` and waits for its "function started" line. */
  async start(name: string, extra: Record<string, string> = {}): Promise<FunctionProcess> {
    const process = await spawnFunction(name, {
      AMQP_URL: this.url,
      LOGS_DIR: this.logsDir,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      LOG_LEVEL: "debug",
      ...extra,
    });
    this.runs.push(process);
    this.#current.set(name, process);
    await process.waitForLog("start", (r) => r.event === "function started", {
      timeoutMs: 30_000,
    });
    return process;
  }

  /** Starts the source for `n` observations, unthrottled unless `intervalMs`. */
  source(n: number, intervalMs = 0): Promise<FunctionProcess> {
    return this.start("features", {
      FEATURES_LIMIT: String(n),
      FEATURES_INTERVAL_MS: String(intervalMs),
    });
  }

  /** The running process of `name`. */
  current(name: string): FunctionProcess {
    const process = this.#current.get(name);
    if (process === undefined) throw new Error(`Cannot find "${name}": it was never started`);
    return process;
  }

  /** SIGTERM to `name`; resolves with its exit code. */
  stop(name: string): Promise<number> {
    return this.current(name).stop(10_000);
  }

  /** The CSV's text (just the header when absent). */
  async csv(): Promise<string> {
    return await Deno.readTextFile(this.csvPath).catch(() => `${HEADER}\n`);
  }

  /** Data rows in the CSV now. */
  async rows(): Promise<number> {
    return (await this.csv()).split("\n").length - 2;
  }

  /** Waits for the source to finish and every confirmed observation to have its row. */
  async allRows(
    csv: () => Promise<string> = () => this.csv(),
    timeoutMs = 120_000,
  ): Promise<MetricLogCheck> {
    await this.current("features").waitForLog(
      "the source to finish",
      (r) => r.event === "ticks done",
      { timeoutMs },
    );
    const expected = await this.#expected();
    let check: MetricLogCheck | undefined;
    await waitFor("every confirmed observation's row", async () => {
      check = checkMetricLog(await csv(), expected);
      return check.lost === 0;
    }, { timeoutMs, intervalMs: 100 });
    return check!;
  }

  /** Confirmed observations of every source run. */
  confirmed(): number {
    return confirmedObservations(this.#sourceLogs()).size;
  }

  /** Messages in the vhost's dead-letter queues. */
  async deadLettered(): Promise<number> {
    const out = await this.node.ctl("list_queues", "-p", this.vhost, "-q", "name", "messages");
    return out.split("\n").map((line) => line.trim().split(/\s+/))
      .filter(([name]) => name?.endsWith(".dead"))
      .reduce((sum, [, messages]) => sum + Number(messages), 0);
  }

  /** Time of the last "row written" line of any metrics run, in ms since the epoch. */
  lastRowTime(): number {
    return Math.max(
      ...this.runs.filter((p) => p.name === "metrics").flatMap((p) => p.logs)
        .filter((r) => r.event === "row written").map((r) => Date.parse(String(r.time))),
    );
  }

  /** Every log line of every run of `name`. */
  logs(name: string): Record<string, unknown>[] {
    return this.runs.filter((p) => p.name === name).flatMap((p) => p.logs);
  }

  /** Stops every process (SIGKILL after 10 s), deletes the vhost and the logs. */
  async close(options: { keepLogs?: boolean } = {}): Promise<void> {
    await Promise.all(this.runs.map((p) => p.stop(10_000)));
    await this.node.ctl("delete_vhost", this.vhost).catch(() => "");
    if (!options.keepLogs) await Deno.remove(this.logsDir, { recursive: true }).catch(() => {});
  }

  #sourceLogs(): Record<string, unknown>[] {
    return this.logs("features");
  }

  async #expected() {
    const rows = await loadDiabetes("./data");
    const model = await loadModel("./data", "linear");
    return {
      confirmed: confirmedObservations(this.#sourceLogs()),
      target: (row: number) => rows[row]!.target,
      predict: (row: number) => model.predict(rows[row]!.features),
    };
  }
}

/** The figures line of one scenario. */
export function figuresLine(name: string, figures: ScenarioFigures, extra = ""): string {
  const { check } = figures;
  return `join(${name}): N=${figures.n} rows=${check.rows} lost=${check.lost} ` +
    `duplicated=${check.duplicated} wrong=${check.wrong} dead_lettered=${figures.deadLettered} ` +
    `recovery_to_last_row_ms=${figures.recoveryToLastRowMs}${extra === "" ? "" : " " + extra}`;
}
