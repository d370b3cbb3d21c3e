import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalize, type VectorStore } from '../../src/memory/vector-store.ts';

/** A deterministic unit vector near `base` (by `spread`), so expected orderings are known. */
function vec(dims: number, seed: number): Float32Array {
  let x = seed * 2654435761;
  return normalize(Array.from({ length: dims }, () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return (x / 2 ** 32) - 0.5;
  }));
}
const near = (v: Float32Array, seed: number, spread: number): Float32Array => {
  const noise = vec(v.length, seed);
  return normalize(Array.from(v, (x, i) => x + spread * noise[i]!));
};

/**
 * One contract, every store (as Hono runs one suite against every runtime): what memory search relies on.
 * `make` gives a fresh store (not yet opened); `reopen` a second handle on the same storage.
 */
export function vectorStoreContract(name: string, make: () => Promise<{ store: VectorStore; reopen: () => VectorStore; cleanup: () => Promise<void> }>): void {
  describe(`VectorStore contract: ${name}`, () => {
    let h: Awaited<ReturnType<typeof make>>;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.store.close();
      await h.cleanup();
    });

    it('returns the nearest points of one memory, nearest first, with cosine scores', async () => {
      const s = h.store;
      await s.open(16, true);
      const target = vec(16, 1);
      await s.upsert([
        { id: 1, memoryId: 'a', vector: near(target, 10, 0.1) },
        { id: 2, memoryId: 'a', vector: near(target, 11, 1.0) },
        { id: 3, memoryId: 'a', vector: vec(16, 99) },
        { id: 4, memoryId: 'b', vector: target },
      ]);
      const hits = await s.nearest('a', target, 10);
      expect(hits.map((h) => h.id)).toEqual([1, 2, 3]);
      expect(hits[0]!.score).toBeGreaterThan(0.9);
      expect(hits[0]!.score).toBeLessThanOrEqual(1.0001);
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
      // Another memory's points never appear, however near.
      expect((await s.nearest('b', target, 10)).map((h) => h.id)).toEqual([4]);
      expect((await s.nearest('b', target, 10))[0]!.score).toBeCloseTo(1, 4);
      expect(await s.nearest('nobody', target, 10)).toEqual([]);
      expect(await s.nearest('a', target, 2)).toHaveLength(2);
    });

    it('upsert overwrites a point (vector and memory); remove drops it, and unknown ids are ignored', async () => {
      const s = h.store;
      await s.open(8, true);
      const v = vec(8, 5);
      await s.upsert([{ id: 7, memoryId: 'a', vector: vec(8, 6) }]);
      await s.upsert([{ id: 7, memoryId: 'b', vector: v }]);
      expect(await s.nearest('a', v, 5)).toEqual([]);
      expect((await s.nearest('b', v, 5))[0]).toMatchObject({ id: 7 });
      await s.remove([7, 12345]);
      expect(await s.nearest('b', v, 5)).toEqual([]);
      await s.remove([]);
      await s.upsert([]);
    });

    it('keeps vectors across handles; open(fresh) or a new size drops them', async () => {
      const s = h.store;
      await s.open(8, true);
      const v = vec(8, 3);
      await s.upsert([{ id: 1, memoryId: 'a', vector: v }]);
      const again = h.reopen();
      await again.open(8, false);
      expect((await again.nearest('a', v, 5)).map((x) => x.id)).toEqual([1]);
      await again.open(8, true);
      expect(await again.nearest('a', v, 5)).toEqual([]);
      await again.upsert([{ id: 2, memoryId: 'a', vector: v }]);
      await again.open(4, false);
      expect(await again.nearest('a', vec(4, 1), 5)).toEqual([]);
      await again.close();
    });

    it('refuses vectors of the wrong size, and use before open', async () => {
      const s = h.store;
      await expect(s.nearest('a', vec(8, 1), 1)).rejects.toThrow(/not open/);
      await s.open(8, true);
      await expect(s.upsert([{ id: 1, memoryId: 'a', vector: vec(9, 1) }])).rejects.toThrow(/9 dimensions/);
      await expect(s.nearest('a', vec(7, 1), 1)).rejects.toThrow(/7 dimensions/);
    });

    it('finds the right neighbours among many points and memories', async () => {
      const s = h.store;
      await s.open(32, true);
      const points = Array.from({ length: 600 }, (_, i) => ({ id: i + 1, memoryId: `m${i % 3}`, vector: vec(32, i + 1) }));
      for (let i = 0; i < points.length; i += 100) await s.upsert(points.slice(i, i + 100));
      for (const probe of [5, 77, 301]) {
        const p = points[probe - 1]!;
        const q = near(p.vector, 1000 + probe, 0.05);
        const hits = await s.nearest(p.memoryId, q, 5);
        expect(hits[0]!.id).toBe(probe);
        // Exact ground truth for the rest of the ranking.
        const truth = points.filter((x) => x.memoryId === p.memoryId).map((x) => ({ id: x.id, d: x.vector.reduce((acc, y, i) => acc + y * q[i]!, 0) })).sort((a, b) => b.d - a.d).slice(0, 5).map((x) => x.id);
        expect(hits.map((x) => x.id)).toEqual(truth);
      }
    });
  });
}
