import type { ArtifactKind, ArtifactMeta } from './artifact.ts';
import type { Artifacts } from './artifacts.ts';
import type { Store } from './db/store.ts';
import { STATS_SQL, lastActionSql } from './stats.ts';
import { Where } from './db/where.ts';
import { discoverableSql } from './contracts.ts';

export const SEARCH_SORTS = ['relevance', 'newest', 'id', 'invocations', 'success_rate', 'paying_invokers', 'last_used', 'last_action'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export interface SearchQuery {
  query?: string;
  kind?: ArtifactKind;
  owner?: string;
  has_standing?: boolean;
  can_execute?: boolean;
  include_deleted?: boolean;
  sort: SearchSort;
  /** Only what this caller may discover (see `discoverable`); tombstones, which keep nothing but their id, always. */
  visibleTo: string;
  /** The default contract, which decides for artifacts whose contract is gone. */
  fallback: string;
}

const MAX_TOKENS = 16;

/**
 * Artifacts for store_search, in order, among those the caller may discover: visibility is decided in
 * the query, so offsets (and the cursors made of them) count only what the caller may see.
 */
export class Search {
  constructor(
    private readonly store: Store,
    private readonly artifacts: Artifacts,
  ) {}

  candidates(q: SearchQuery, offset: number, count: number): ArtifactMeta[] {
    const tokens = (q.query ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu)?.slice(0, MAX_TOKENS) ?? [];
    const where = new Where();
    let from = 'artifacts a';
    if (tokens.length > 0) {
      from = 'artifacts_fts f JOIN artifacts a ON a.seq = f.rowid';
      // Each token quoted (no FTS syntax from users), prefix-matched, all required.
      where.add('artifacts_fts MATCH ?', tokens.map((t) => `"${t}"*`).join(' '));
    }
    if (!q.include_deleted) where.add('a.deleted_at IS NULL');
    const seen = discoverableSql(q.visibleTo, q.fallback);
    where.add(`(a.deleted_at IS NOT NULL OR ${seen.clause})`, ...seen.params);
    where.eq('a.kind', q.kind).eq('a.owner', q.owner).eq('a.has_standing', q.has_standing).eq('a.can_execute', q.can_execute);
    const order = {
      relevance: tokens.length > 0 ? 'f.rank, a.id' : 'a.updated_at DESC, a.id',
      newest: 'a.updated_at DESC, a.id',
      id: 'a.id',
      invocations: 'COALESCE(s.invocations, 0) DESC, a.id',
      success_rate: 'COALESCE(CAST(s.successes AS REAL) / NULLIF(s.invocations, 0), -1) DESC, COALESCE(s.invocations, 0) DESC, a.id',
      paying_invokers: 'COALESCE(s.paying, 0) DESC, COALESCE(s.invocations, 0) DESC, a.id',
      last_used: 'COALESCE(s.last_at, -1) DESC, a.id',
      // A principal's heartbeat is its newest command (found on the commands key); others sort last.
      last_action: `COALESCE(${lastActionSql('a.id')}, -1) DESC, a.id`,
    }[q.sort];
    const usage = q.sort === 'invocations' || q.sort === 'success_rate' || q.sort === 'paying_invokers' || q.sort === 'last_used';
    const rows = this.store.all<{ id: string }>(
      `SELECT a.id FROM ${from} ${usage ? `LEFT JOIN (${STATS_SQL} GROUP BY i.artifact_id) s ON s.artifact_id = a.id` : ''}
       ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ...where.params,
      count,
      offset,
    );
    return rows.map((r) => this.artifacts.meta(r.id)!);
  }
}
