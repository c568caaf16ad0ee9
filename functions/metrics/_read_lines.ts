/**
 * Reads a file's lines from an offset, in chunks, so a large log never sits
 * in memory whole; the bytes after the last line end come last, marked torn.
 *
 * @module
 */

/** One line without its "\n", and the offset just after it. */
export interface FileLine {
  readonly text: string;
  /** Offset after the line's "\n" (after the last byte when torn). */
  readonly end: number;
  /** True for bytes after the last "\n": a line never finished. */
  readonly torn: boolean;
}

const CHUNK = 256 * 1024;
const decoder = new TextDecoder();

/** Yields each line of `path` from byte `from` on. */
export async function* readLines(path: string, from = 0): AsyncGenerator<FileLine> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(from, Deno.SeekMode.Start);
    let carry = new Uint8Array(0);
    let offset = from;
    const chunk = new Uint8Array(CHUNK);
    for (;;) {
      const read = await file.read(chunk);
      if (read === null) break;
      const bytes = concat(carry, chunk.subarray(0, read));
      let start = 0;
      for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
        offset += nl + 1 - start;
        yield { text: decoder.decode(bytes.subarray(start, nl)), end: offset, torn: false };
        start = nl + 1;
      }
      carry = bytes.slice(start);
    }
    if (carry.length > 0) {
      yield { text: decoder.decode(carry), end: offset + carry.length, torn: true };
    }
  } finally {
    file.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
