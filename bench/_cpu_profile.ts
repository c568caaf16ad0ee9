/**
 * CPU profiles of child processes through the V8 inspector (`--inspect`):
 * Deno 2.9 has no `--cpu-prof`, so the bench speaks the DevTools protocol
 * itself (`Profiler.start` / `Profiler.stop`) and sums self time by function.
 *
 * @module
 */
import { delay } from "../shared/runtime/backoff.ts";
import type { Child } from "./_child.ts";

/** Profiles being taken of several children. */
export interface CpuProfiler {
  /** Stops every profile; per child name (numbered when repeated), its hottest functions. */
  stop(top?: number): Promise<Record<string, string[]>>;
  /** Closes the inspector sockets; may be called twice. */
  close(): Promise<void>;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** A V8 CPU profile as `Profiler.stop` returns it. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** Starts a profile in every child started with `--inspect=127.0.0.1:0`. */
export async function profileChildren(children: readonly Child[]): Promise<CpuProfiler> {
  const sessions = await Promise.all(children.map(async (child) => {
    const session = await InspectorSession.open(await inspectorUrl(child));
    await session.call("Profiler.enable");
    await session.call("Profiler.setSamplingInterval", { interval: 200 });
    await session.call("Profiler.start");
    return { child, session };
  }));
  return {
    async stop(top = 12) {
      const out: Record<string, string[]> = {};
      for (const { child, session } of sessions) {
        const { profile } = await session.call("Profiler.stop") as { profile: CpuProfile };
        let key: string = child.name;
        for (let i = 2; key in out; i++) key = `${child.name}#${i}`;
        out[key] = summarizeProfile(profile, top);
      }
      return out;
    },
    async close() {
      await Promise.all(sessions.map(({ session }) => session.close()));
    },
  };
}

/** The `top` functions by self time: `"12.3% name (file:line)"`, idle excluded from the total. */
export function summarizeProfile(profile: CpuProfile, top: number): string[] {
  const hits = new Map<string, number>();
  let total = 0;
  let all = 0;
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    all += count;
    const { functionName, url, lineNumber } = node.callFrame;
    if (count === 0 || functionName === "(idle)") continue;
    const file = url.replace(/^.*\/(node_modules|main)\//, "");
    const key = `${functionName || "(anonymous)"}${file ? ` (${file}:${lineNumber + 1})` : ""}`;
    hits.set(key, (hits.get(key) ?? 0) + count);
    total += count;
  }
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  return [
    `busy ${(total / Math.max(1, all) * 100).toFixed(0)}% of ${seconds.toFixed(1)} s`,
    ...[...hits].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([key, count]) => `${(count / total * 100).toFixed(1)}% ${key}`),
  ];
}

async function inspectorUrl(child: Child): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const line of child.otherOutput) {
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(line);
      if (match) return match[1]!;
    }
    if (Date.now() > deadline) {
      throw new Error(`Cannot profile ${child.name}: no inspector banner in its output`);
    }
    await delay(10);
  }
}

/** One DevTools protocol connection. */
class InspectorSession {
  readonly #socket: WebSocket;
  readonly #calls = new Map<number, PromiseWithResolvers<unknown>>();
  #next = 0;
  #closed: Promise<void> | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const reply = JSON.parse(String(event.data)) as {
        id?: number;
        result?: unknown;
        error?: unknown;
      };
      if (reply.id === undefined) return;
      const call = this.#calls.get(reply.id);
      this.#calls.delete(reply.id);
      if (reply.error) call?.reject(new Error(`Inspector error: ${JSON.stringify(reply.error)}`));
      else call?.resolve(reply.result);
    };
  }

  static async open(url: string): Promise<InspectorSession> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`Cannot connect to the inspector at "${url}"`));
    });
    return new InspectorSession(socket);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.#next;
    const call = Promise.withResolvers<unknown>();
    this.#calls.set(id, call);
    this.#socket.send(JSON.stringify({ id, method, params }));
    return call.promise;
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#socket.readyState === WebSocket.CLOSED) return resolve();
      this.#socket.onclose = () => resolve();
      this.#socket.close();
    });
    return this.#closed;
  }
}
