/**
 * Free ports for tests that start `deno task dev`, which counts its functions'
 * ports up from `HTTP_PORT`.
 *
 * @module
 */

/** The first of `count` consecutive ports free on 127.0.0.1 right now. */
export function consecutiveFreePorts(count: number): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < count; i++) {
        listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      }
      return base;
    } catch {
      // Taken: try another range.
    } finally {
      listeners.forEach((listener) => listener.close());
    }
  }
  throw new Error(`Cannot find ${count} consecutive free ports`);
}
