import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/kernel/db/store.ts';
import { LibsqlVectorStore } from '../../src/memory/libsql-vectors.ts';
import { normalize } from '../../src/memory/vector-store.ts';
import { vectorStoreContract } from './vector-store.contract.ts';

vectorStoreContract('libsql', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vectors-'));
  const open = () => new Store({ path: join(dir, 'w.db'), busyTimeoutMs: 1_000, synchronous: 'NORMAL', now: () => 0 });
  const store = open();
  const other: Store[] = [];
  return {
    store: new LibsqlVectorStore(store),
    reopen: () => {
      const s = open();
      other.push(s);
      return new LibsqlVectorStore(s);
    },
    cleanup: async () => {
      for (const s of other) s.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('LibsqlVectorStore: large memories go through the DiskANN index (vector_top_k)', () => {
  it('finds near neighbours through the index, and falls back to comparing all when others crowd it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vectors-'));
    const store = new Store({ path: join(dir, 'w.db'), busyTimeoutMs: 1_000, synchronous: 'NORMAL', now: () => 0 });
    try {
      const s = new LibsqlVectorStore(store, 20);
      await s.open(16, true);
      const rnd = (seed: number) => {
        let x = seed;
        return normalize(Array.from({ length: 16 }, () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5));
      };
      // 'big' holds 200 vectors; 'crowd' holds 300 that all sit near the probe, so the index's nearest are theirs.
      const probe = rnd(7);
      await s.upsert(Array.from({ length: 200 }, (_, i) => ({ id: i + 1, memoryId: 'big', vector: rnd(1000 + i) })));
      await s.upsert([{ id: 500, memoryId: 'big', vector: normalize(Array.from(probe, (v, i) => v + (i % 2 ? 0.01 : -0.01))) }]);
      expect((await s.nearest('big', probe, 3))[0]!.id).toBe(500);
      await s.upsert(Array.from({ length: 300 }, (_, i) => ({ id: 1000 + i, memoryId: 'crowd', vector: normalize(Array.from(probe, (v, j) => v + ((i * 7 + j) % 5) * 0.001)) })));
      const hits = await s.nearest('big', probe, 5);
      expect(hits).toHaveLength(5);
      expect(hits[0]!.id).toBe(500);
      expect(hits.every((h) => h.id <= 500)).toBe(true);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
