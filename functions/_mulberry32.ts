/**
 * Mulberry32 (Tommy Ettinger, public domain): a 32-bit seeded generator,
 * written by hand because the project has no npm dependency for seeded
 * randomness and the algorithm is six lines. Good enough to pick rows
 * reproducibly; not for anything cryptographic.
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`Invalid seed "${seed}": expected a whole number from 0 to 4294967295`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
