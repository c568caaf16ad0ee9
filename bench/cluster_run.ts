/**
 * Stage 9: the pipeline on a private 3-node cluster against the single node,
 * in the same run and in turns: the same processes (plot left out: it uses
 * no broker), the same N, every queue
 * replicated three times (Raft) instead of once. The ratio is the cost of
 * replication on this machine, where the three nodes share its cores.
 *
 * @module
 */
import { startRabbitCluster } from "../shared/testing/rabbit_cluster.ts";
import { type PipelineRunResult, runPipeline } from "./pipeline_run.ts";

/** What {@linkcode compareCluster} found; the best round of each. */
export interface ClusterResult {
  readonly observations: number;
  readonly single: PipelineRunResult & { readonly rounds: readonly number[] };
  readonly cluster: PipelineRunResult & { readonly rounds: readonly number[] };
  /** Cluster obs/s over single-node obs/s. */
  readonly ratio: number;
}

/** Runs the pipeline `rounds` times on each, in turns; the functions get every node's URL. */
export async function compareCluster(
  singleUrl: string,
  observations: number,
  rounds: number,
): Promise<ClusterResult> {
  const cluster = await startRabbitCluster();
  const single: PipelineRunResult[] = [], replicated: PipelineRunResult[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Without plot: it uses no broker, and the comparison is the broker's.
      single.push(await runPipeline(singleUrl, observations, { plot: false }));
      replicated.push(await runPipeline(cluster.url, observations, { plot: false }));
    }
  } finally {
    await cluster.close();
  }
  const best = (runs: PipelineRunResult[]) => ({
    ...runs.reduce((a, b) => b.observationsPerSecond > a.observationsPerSecond ? b : a),
    rounds: runs.map((run) => run.observationsPerSecond),
  });
  const [a, b] = [best(single), best(replicated)];
  return {
    observations,
    single: a,
    cluster: b,
    ratio: b.observationsPerSecond / a.observationsPerSecond,
  };
}
