import type { Store } from '../kernel/db/store.ts';
import { checkDims, type VectorHit, type VectorPoint, type VectorStore } from './vector-store.ts';

/** Up to this many vectors in one memory, search compares them all (exact, and faster than the index at this size). */
const EXACT_MAX = 2_000;
/** Candidates taken from the world-wide index per result wanted, since most belong to other memories. */
const OVERFETCH = 20;
const MAX_CANDIDATES = 2_000;
/** Vectors inserted per write transaction. */
const PER_TX = 4;

const blob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * Embeddings in the world's own file: libSQL vectors (`F32_BLOB`), with a DiskANN index
 * (`libsql_vector_idx`) searched by `vector_top_k` for large memories. The index's defaults cost 6-13 ms
 * per insert here (held inside the write lock); 16 neighbours compressed to float8 cost about 2 ms, and a
 * search of 8,000 vectors about 2.7 ms against 13 ms comparing them all (`npm run bench -- --only memory`). Writes never wait for another
 * process's write lock (WriteLockBusy propagates, and the indexer tries again later).
 */
export class LibsqlVectorStore implements VectorStore {
  readonly kind = 'libsql';
  private dims = 0;

  constructor(
    private readonly store: Store,
    /** Memories holding more vectors than this are searched through the index (tests lower it). */
    private readonly exactMax = EXACT_MAX,
  ) {}

  async open(dims: number, fresh: boolean): Promise<void> {
    if (!Number.isInteger(dims) || dims < 1 || dims > 8_192) throw new Error(`vector dimensions must be 1-8192, not ${dims}`);
    const existing = this.store.one<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'memory_vectors'");
    const sameShape = existing?.sql.includes(`F32_BLOB(${dims})`) ?? false;
    this.store.writeTx(
      () => {
        if (existing && (fresh || !sameShape)) this.store.db.exec('DROP TABLE memory_vectors');
        this.store.db.exec(`
          CREATE TABLE IF NOT EXISTS memory_vectors (entry_id INTEGER PRIMARY KEY, memory_id TEXT NOT NULL, embedding F32_BLOB(${dims}) NOT NULL);
          CREATE INDEX IF NOT EXISTS memory_vectors_memory ON memory_vectors(memory_id);
          CREATE INDEX IF NOT EXISTS memory_vectors_ann ON memory_vectors(libsql_vector_idx(embedding, 'metric=cosine', 'max_neighbors=16', 'compress_neighbors=float8'));`);
      },
      { wait: false },
    );
    this.dims = dims;
  }

  async upsert(points: readonly VectorPoint[]): Promise<void> {
    for (const p of points) checkDims(this.dims, p.vector);
    // Each insert updates the index for about 2 ms inside the write lock: a few per transaction, with the
    // event loop let go between them, so no writer waits long behind the indexer.
    for (let i = 0; i < points.length; i += PER_TX) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      this.store.writeTx(
        () => {
          for (const p of points.slice(i, i + PER_TX)) {
            this.store.run('INSERT INTO memory_vectors (entry_id, memory_id, embedding) VALUES (?, ?, vector32(?)) ON CONFLICT (entry_id) DO UPDATE SET memory_id = excluded.memory_id, embedding = excluded.embedding', p.id, p.memoryId, blob(p.vector));
          }
        },
        { wait: false },
      );
    }
  }

  async remove(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    this.store.writeTx(() => {
      for (const id of ids) this.store.run('DELETE FROM memory_vectors WHERE entry_id = ?', id);
    }, { wait: false });
  }

  async nearest(memoryId: string, vector: Float32Array, limit: number): Promise<VectorHit[]> {
    checkDims(this.dims, vector);
    const q = blob(vector);
    const held = this.store.one<{ n: number }>('SELECT count(*) AS n FROM memory_vectors WHERE memory_id = ?', memoryId)!.n;
    if (held === 0) return [];
    if (held > this.exactMax) {
      const k = Math.min(MAX_CANDIDATES, limit * OVERFETCH);
      const hits = this.store.all<{ id: number; d: number }>(
        `SELECT v.entry_id AS id, vector_distance_cos(v.embedding, vector32(?)) AS d
         FROM vector_top_k('memory_vectors_ann', vector32(?), ?) t JOIN memory_vectors v ON v.rowid = t.id
         WHERE v.memory_id = ? ORDER BY d LIMIT ?`,
        q, q, k, memoryId, limit,
      );
      // Enough of this memory among the world's nearest: done. Otherwise the index was crowded by others'.
      if (hits.length >= limit) return hits.map(toHit);
    }
    return this.store
      .all<{ id: number; d: number }>('SELECT entry_id AS id, vector_distance_cos(embedding, vector32(?)) AS d FROM memory_vectors WHERE memory_id = ? ORDER BY d LIMIT ?', q, memoryId, limit)
      .map(toHit);
  }

  async close(): Promise<void> {}

}

const toHit = (r: { id: number; d: number }): VectorHit => ({ id: r.id, score: 1 - r.d });
