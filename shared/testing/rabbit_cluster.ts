/**
 * A private 3-node RabbitMQ cluster for tests, from Debian's binaries: three
 * {@linkcode startRabbitNode} nodes sharing an Erlang cookie of their own (in
 * the cluster's folder), the second and third joined to the first with
 * `rabbitmqctl join_cluster`. The system node on 5672 is never touched.
 *
 * @module
 */
import { rabbitmqUser, type RabbitNode, startRabbitNode } from "./rabbit_node.ts";

/** A running private cluster. */
export interface RabbitCluster {
  /** The nodes, the first being the one the others joined. */
  readonly nodes: readonly RabbitNode[];
  /** Every node's URL, comma-separated, as `AMQP_URL` takes them. */
  readonly url: string;
  /** The running members as the node `from` sees them (default: the first running node). */
  runningNodes(from?: RabbitNode): Promise<string[]>;
  /** The leader and members of every quorum queue, read from `from`. */
  quorumQueues(from?: RabbitNode): Promise<QuorumQueueInfo[]>;
  /** Kills every node and deletes the folder; may be called twice. */
  close(): Promise<void>;
}

/** A quorum queue as `rabbitmqctl list_queues name leader members messages` shows it. */
export interface QuorumQueueInfo {
  readonly name: string;
  /** The node name of the Raft leader. */
  readonly leader: string;
  /** The node names holding a replica, sorted. */
  readonly members: readonly string[];
  /** Ready plus unacknowledged messages. */
  readonly messages: number;
}

/** Options of {@linkcode startRabbitCluster}. */
export interface StartRabbitClusterOptions {
  /** How many nodes. @default 3 */
  size?: number;
}

const COOKIE_LENGTH = 32;

/** Starts the nodes (in parallel, ~10 s on two cores) and joins them into one cluster. */
export async function startRabbitCluster(
  options: StartRabbitClusterOptions = {},
): Promise<RabbitCluster> {
  const size = options.size ?? 3;
  const dir = await Deno.makeTempDir({ prefix: "rabbit-cluster-" });
  const nodes: RabbitNode[] = [];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      try {
        await Promise.allSettled(nodes.map((node) => node.close()));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    })();
    return closing;
  };
  try {
    await writeCookie(dir);
    const started = await Promise.allSettled(
      Array.from(
        { length: size },
        () => startRabbitNode({ namePrefix: "pipeline-cluster", cookieDir: dir }),
      ),
    );
    for (const result of started) if (result.status === "fulfilled") nodes.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const [first, ...others] = nodes;
    // One at a time: concurrent joins race on the cluster's membership table.
    for (const node of others) {
      await node.ctl("stop_app");
      await node.ctl("join_cluster", first!.nodeName);
      await node.ctl("start_app");
    }
    for (const node of nodes) await node.ctl("await_startup");
  } catch (error) {
    await close();
    throw error;
  }
  const firstRunning = async (): Promise<RabbitNode> => {
    for (const node of nodes) {
      try {
        await node.ctl("-q", "ping");
        return node;
      } catch { /* stopped or killed: ask the next */ }
    }
    throw new Error("Cannot query the cluster: no node answers");
  };
  return {
    nodes,
    url: nodes.map((node) => node.url).join(","),
    async runningNodes(from) {
      const out = await (from ?? await firstRunning()).ctl(
        "-q",
        "cluster_status",
        "--formatter",
        "json",
      );
      return (JSON.parse(out) as { running_nodes: string[] }).running_nodes.toSorted();
    },
    async quorumQueues(from) {
      const out = await (from ?? await firstRunning()).ctl(
        "-q",
        "list_queues",
        "name",
        "type",
        "leader",
        "members",
        "messages",
        "--formatter",
        "json",
      );
      return (JSON.parse(out) as {
        name: string;
        type: string;
        leader: string;
        members: string[];
        messages: number;
      }[])
        .filter((queue) => queue.type === "quorum")
        .map(({ name, leader, members, messages }) => ({
          name,
          leader,
          members: members.toSorted(),
          messages,
        }));
    },
    close,
  };
}

/** A random cookie, readable by the rabbitmq user only (Erlang refuses any other mode). */
async function writeCookie(dir: string): Promise<void> {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const bytes = crypto.getRandomValues(new Uint8Array(COOKIE_LENGTH));
  const cookie = Array.from(bytes, (byte) => letters[byte % letters.length]).join("");
  const path = `${dir}/.erlang.cookie`;
  await Deno.writeTextFile(path, cookie, { mode: 0o400 });
  const { uid, gid } = await rabbitmqUser();
  await Deno.chown(path, uid, gid);
  await Deno.chown(dir, uid, gid);
}
