/**
 * Why metrics keeps waiting halves in an append-only journal of its own and
 * not in an embedded store: the same work on both, on the same disk. `n`
 * halves are stored in group commits of `batch` (one sync each), then each is
 * removed as its partner arrives (the journal does nothing: compaction drops
 * dead lines later; SQLite deletes the row, in the same group commits).
 * SQLite is Deno's built-in `node:sqlite` (WAL, `synchronous=FULL`): no npm
 * package, no native addon to allow.
 *
 * `deno run --frozen -P=bench bench/journal_vs_sqlite.ts [n] [batch]`
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { encodeHalves, type StoredHalf } from "../functions/metrics/half_journal.ts";
import { SyncedFile } from "../functions/metrics/_synced_file.ts";

/** What one store cost. */
export interface StoreCost {
  readonly store: string;
  /** Wall time per half stored, synced, in µs. */
  readonly storeMicros: number;
  /** Wall time per half removed, synced, in µs. */
  readonly removeMicros: number;
  /** Bytes on disk once every half was stored. */
  readonly bytes: number;
}

function halves(n: number): StoredHalf[] {
  return Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    side: i % 2 === 0 ? "y_true" : "y_pred",
    value: 100 + (i % 250),
    since: Date.now(),
  }));
}

/** The journal: one append and fdatasync per batch; removal costs nothing. */
export async function measureJournal(dir: string, all: StoredHalf[], batch: number) {
  const path = join(dir, "halves.jsonl");
  await Deno.writeFile(path, new Uint8Array());
  const file = await SyncedFile.open(path);
  try {
    const start = performance.now();
    for (let i = 0; i < all.length; i += batch) {
      await file.append(encodeHalves(all.slice(i, i + batch)));
    }
    const storeMs = performance.now() - start;
    return {
      store: "journal",
      storeMicros: (storeMs * 1000) / all.length,
      removeMicros: 0,
      bytes: file.size,
    };
  } finally {
    file.close();
  }
}

/** SQLite: one transaction per batch, inserts then deletes. */
export function measureSqlite(dir: string, all: StoredHalf[], batch: number): StoreCost {
  const path = join(dir, "halves.db");
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    db.exec("CREATE TABLE halves(id TEXT PRIMARY KEY, side TEXT, value REAL, since REAL)");
    const insert = db.prepare("INSERT INTO halves VALUES (?, ?, ?, ?)");
    const remove = db.prepare("DELETE FROM halves WHERE id = ?");
    const inBatches = (work: (half: StoredHalf) => void) => {
      const start = performance.now();
      for (let i = 0; i < all.length; i += batch) {
        db.exec("BEGIN");
        for (const half of all.slice(i, i + batch)) work(half);
        db.exec("COMMIT");
      }
      return ((performance.now() - start) * 1000) / all.length;
    };
    const storeMicros = inBatches((h) => insert.run(h.id, h.side, h.value, h.since));
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const bytes = Deno.statSync(path).size;
    const removeMicros = inBatches((h) => remove.run(h.id));
    return { store: "node:sqlite", storeMicros, removeMicros, bytes };
  } finally {
    db.close();
  }
}

if (import.meta.main) {
  const n = Number(Deno.args[0] ?? 20_000);
  const batch = Number(Deno.args[1] ?? 100);
  await Deno.mkdir("./logs", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: "./logs", prefix: "bench-journal-" });
  try {
    const all = halves(n);
    for (const cost of [await measureJournal(dir, all, batch), measureSqlite(dir, all, batch)]) {
      // deno-lint-ignore no-console
      console.log(
        `${cost.store}: store ${cost.storeMicros.toFixed(1)} µs/half, remove ` +
          `${cost.removeMicros.toFixed(1)} µs/half, ${(cost.bytes / n).toFixed(0)} B/half ` +
          `(${n} halves, ${batch} per commit)`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
