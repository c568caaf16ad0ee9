/**
 * The bench's command line: `--quick`, `--n`, `--duration`, `--rate`,
 * `--pending`, `--stages`, `--profile`, resolved into every size a stage
 * needs.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The stages, in the order they run. */
export const STAGES = [
  "ceiling",
  "pipeline",
  "latency",
  "scale-out",
  "memory",
  "plot",
  "embedded",
  "live",
  "cluster",
  "cold-start",
  "challenger",
] as const;

/** One stage's name. */
export type Stage = typeof STAGES[number];

/** Every size the stages use. */
export interface BenchArgs {
  readonly quick: boolean;
  /** Observations of the pipeline runs (stages 2 and 7). */
  readonly n: number;
  /** Rounds of ceiling and pipeline, in turns; the best of each counts. */
  readonly rounds: number;
  /** Messages of the ceiling: as many as the pipeline moves (3 per observation). */
  readonly ceilingMessages: number;
  /** Seconds measured at the fixed rate. */
  readonly duration: number;
  readonly warmupSeconds: number;
  /** Offered observations a second. */
  readonly rate: number;
  /** Observations of each scale-out run. */
  readonly scaleOutN: number;
  /** Ids pending in the metrics memory stage. */
  readonly pending: number;
  /** Metric log sizes of the plot stage. */
  readonly plotRows: readonly number[];
  /** Metric log size of the live page stage. */
  readonly liveRows: number;
  readonly stages: readonly Stage[];
  readonly profile: boolean;
  /** Cold starts per function; the median counts. */
  readonly coldStarts: number;
}

/** Parses the flags; throws TypeError or RangeError naming the bad one. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      n: { type: "string" },
      duration: { type: "string" },
      rate: { type: "string" },
      pending: { type: "string" },
      stages: { type: "string" },
      profile: { type: "boolean", default: false },
    },
  });
  const quick = values.quick ?? false;
  const n = positive("--n", values.n, quick ? 1000 : 20_000);
  return {
    quick,
    n,
    rounds: quick ? 1 : 2,
    ceilingMessages: 3 * n,
    duration: positive("--duration", values.duration, quick ? 3 : 20),
    warmupSeconds: quick ? 1 : 2,
    rate: positive("--rate", values.rate, 500),
    // One model takes MODEL_DELAY_MS=5 per observation, one at a time: at most
    // 200 obs/s, so 2 000 observations already take 10 s with one model.
    scaleOutN: quick ? Math.min(n, 300) : Math.min(n, 2000),
    pending: positive("--pending", values.pending, quick ? 5000 : 100_000),
    plotRows: quick ? [10_000, 100_000] : [100_000, 1_000_000],
    liveRows: quick ? 100_000 : 1_000_000,
    stages: stages(values.stages),
    profile: values.profile ?? false,
    coldStarts: quick ? 1 : 5,
  };
}

function positive(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Invalid ${flag} "${raw}": expected a whole number from 1`);
  }
  return value;
}

function stages(raw: string | undefined): Stage[] {
  if (raw === undefined) return [...STAGES];
  return raw.split(",").map((name) => {
    const stage = STAGES.find((s) => s === name.trim());
    if (stage === undefined) {
      throw new TypeError(`Invalid --stages "${raw}": expected some of ${STAGES.join(", ")}`);
    }
    return stage;
  });
}
