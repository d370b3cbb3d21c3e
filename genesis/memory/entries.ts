import type { Store } from '../../src/kernel/db/store.ts';

export interface MemoryEntry {
  id: number;
  text: string;
  tags: string[];
  created_at: number;
}

/** Bytes an entry costs beyond its text and tags: its row and its full-text index entries. */
export const ENTRY_OVERHEAD_BYTES = 64;

const toEntry = (r: { id: number; text: string; tags: string; created_at: number }): MemoryEntry => ({ id: r.id, text: r.text, tags: r.tags === '' ? [] : r.tags.split(' '), created_at: r.created_at });

/**
 * A full-text query from free text: each word becomes a quoted term (so nothing in it is FTS5 syntax),
 * any of which may match; ranked by bm25. Null when the text has no word to look for.
 */
export function ftsQuery(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu)?.slice(0, 32) ?? [];
  return words.length === 0 ? null : words.map((w) => `"${w}"`).join(' OR ');
}

/** Candidates from a vector store looked at per search: a limit on everything. */
const MAX_HITS = 500;

/** Entries with any of `tags`. Tags may hold '_', LIKE's any-character: escaped, so a tag matches only itself. */
function tagFilter(tags: string[]): { clause: string; params: string[] } {
  if (tags.length === 0) return { clause: '', params: [] };
  return {
    clause: ` AND (${tags.map(() => "(' ' || e.tags || ' ') LIKE ? ESCAPE '\\'").join(' OR ')})`,
    params: tags.map((t) => `% ${t.replace(/[\\%_]/g, (c) => `\\${c}`)} %`),
  };
}

/** A memory's entries, in the database, full-text indexed (FTS5) by triggers. */
export class MemoryEntries {
  constructor(private readonly store: Store) {}

  add(memoryId: string, text: string, tags: string[], sizeBytes: number, at: number): number {
    const r = this.store.run('INSERT INTO memory_entries (memory_id, text, tags, size_bytes, created_at) VALUES (?, ?, ?, ?, ?)', memoryId, text, tags.join(' '), sizeBytes, at);
    return Number(r.lastInsertRowid);
  }

  count(memoryId: string): number {
    return this.store.one<{ n: number }>('SELECT count(*) AS n FROM memory_entries WHERE memory_id = ?', memoryId)!.n;
  }

  remove(memoryId: string, id: number): number | null {
    const row = this.store.one<{ size_bytes: number }>('SELECT size_bytes FROM memory_entries WHERE id = ? AND memory_id = ?', id, memoryId);
    if (!row) return null;
    this.store.run('DELETE FROM memory_entries WHERE id = ?', id);
    return row.size_bytes;
  }

  /**
   * The entries among `hits` (nearest first, from a vector store) that belong to `memoryId`, carry one of
   * `tags` if any are given, and are indexed as they are now (none waiting in memory_vector_todo: a store
   * lags behind the entries, and an id it names may since have been forgotten). Order and scores kept.
   */
  current(memoryId: string, hits: readonly { id: number; score: number }[], tags: string[]): (MemoryEntry & { score: number })[] {
    if (hits.length === 0) return [];
    const ids = hits.slice(0, MAX_HITS).map((h) => h.id).filter((id) => Number.isSafeInteger(id));
    const { clause, params } = tagFilter(tags);
    const rows = this.store.all<{ id: number; text: string; tags: string; created_at: number }>(
      `SELECT e.id, e.text, e.tags, e.created_at FROM memory_entries e WHERE e.id IN (${ids.map(() => '?').join(', ')}) AND e.memory_id = ?${clause}
       AND NOT EXISTS (SELECT 1 FROM memory_vector_todo t WHERE t.entry_id = e.id)`,
      ...ids, memoryId, ...params,
    );
    const found = new Map(rows.map((r) => [r.id, toEntry(r)]));
    return hits.flatMap((h) => {
      const e = found.get(h.id);
      return e ? [{ ...e, score: h.score }] : [];
    });
  }

  /** Entries matching `query` best first (bm25), optionally only those with one of `tags`; or the newest without a query. */
  search(memoryId: string, query: string | null, tags: string[], limit: number): (MemoryEntry & { score: number | null })[] {
    const { clause: tagClause, params: tagParams } = tagFilter(tags);
    if (query === null) {
      return this.store.all<{ id: number; text: string; tags: string; created_at: number }>(`SELECT e.id, e.text, e.tags, e.created_at FROM memory_entries e WHERE e.memory_id = ?${tagClause} ORDER BY e.id DESC LIMIT ?`, memoryId, ...tagParams, limit).map((r) => ({ ...toEntry(r), score: null }));
    }
    return this.store
      .all<{ id: number; text: string; tags: string; created_at: number; rank: number }>(
        `SELECT e.id, e.text, e.tags, e.created_at, f.rank AS rank FROM memory_fts f JOIN memory_entries e ON e.id = f.rowid
         WHERE memory_fts MATCH ? AND e.memory_id = ?${tagClause} ORDER BY f.rank LIMIT ?`,
        query,
        memoryId,
        ...tagParams,
        limit,
      )
      .map((r) => ({ ...toEntry(r), score: Math.round(-r.rank * 1000) / 1000 }));
  }
}

/** Reciprocal rank fusion (k = 60): entries high in either list rise; the score is the fused one. */
export function fuse<T extends { id: number; score: number | null }>(...lists: T[][]): T[] {
  const byId = new Map<number, { row: T; score: number }>();
  for (const list of lists) {
    list.forEach((row, rank) => {
      const seen = byId.get(row.id);
      const add = 1 / (60 + rank + 1);
      if (seen) seen.score += add;
      else byId.set(row.id, { row, score: add });
    });
  }
  return [...byId.values()].sort((a, b) => b.score - a.score || b.row.id - a.row.id).map(({ row, score }) => ({ ...row, score: Math.round(score * 1e6) / 1e6 }));
}
