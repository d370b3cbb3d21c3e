import type { Store } from './db/store.ts';

export interface ArtifactStats {
  invocations: number;
  successes: number;
  failures: number;
  success_rate: number | null;
  distinct_invokers: number;
  distinct_paying_invokers: number;
  last_invoked_at: number | null;
  /** When this record began, if it was started afresh (its code or owner changed), and why. */
  since: { at: number; reason: 'code' | 'owner' } | null;
}

/**
 * SQL aggregating the registry per artifact; search sorts on it too. Invokers and payers are counted by
 * who answers for them (their makers), and the owner's own side never counts as a paying user, so an
 * agent's wallets buy its tools no reputation.
 */
export const STATS_SQL = `SELECT i.artifact_id AS artifact_id, SUM(i.invocations) AS invocations, SUM(i.successes) AS successes,
  COUNT(DISTINCT COALESCE((SELECT m.maker FROM artifacts m WHERE m.id = i.invoker), i.invoker)) AS invokers,
  (SELECT COUNT(*) FROM artifact_payers p WHERE p.artifact_id = i.artifact_id
     AND p.principal <> COALESCE((SELECT o.maker FROM artifacts x JOIN artifacts o ON o.id = x.owner WHERE x.id = i.artifact_id), '')) AS paying,
  MAX(i.last_at) AS last_at FROM artifact_invokers i`;

/**
 * When the principal named by the SQL expression `principal` last acted: its newest command. Command ids
 * start with the world time, zero-padded, so the largest id under the (principal, id) key is the latest.
 */
export const lastActionSql = (principal: string): string => `(SELECT c.at FROM commands c WHERE c.principal = ${principal} ORDER BY c.id DESC LIMIT 1)`;

/** The invocation registry: how much each artifact is used, by how many, and how reliably. */
export class Stats {
  constructor(private readonly store: Store) {}

  record(artifact: string, invoker: string, ok: boolean, paid: number, at: number): void {
    this.store.run(
      `INSERT INTO artifact_invokers (artifact_id, invoker, invocations, successes, scrip_paid, last_at, last_paid_at) VALUES (?, ?, 1, ?, ?, ?, ?)
       ON CONFLICT (artifact_id, invoker) DO UPDATE SET invocations = invocations + 1, successes = successes + excluded.successes,
         scrip_paid = scrip_paid + excluded.scrip_paid, last_at = excluded.last_at, last_paid_at = COALESCE(excluded.last_paid_at, last_paid_at)`,
      artifact,
      invoker,
      ok ? 1 : 0,
      paid,
      at,
      paid > 0 ? at : null,
    );
  }

  /** Who answers for the account that paid the price (see Artifacts.makerOf), for usage scoring. */
  recordPayer(artifact: string, principal: string, at: number): void {
    this.store.run(
      'INSERT INTO artifact_payers (artifact_id, principal, last_paid_at) VALUES (?, ?, ?) ON CONFLICT (artifact_id, principal) DO UPDATE SET last_paid_at = excluded.last_paid_at',
      artifact,
      principal,
      at,
    );
  }

  get(artifact: string): ArtifactStats {
    const s = this.store.one<{ invocations: number | null; successes: number | null; invokers: number; paying: number | null; last_at: number | null }>(
      `${STATS_SQL} WHERE i.artifact_id = ?`,
      artifact,
    )!;
    const invocations = s.invocations ?? 0;
    const successes = s.successes ?? 0;
    return {
      invocations,
      successes,
      failures: invocations - successes,
      success_rate: invocations === 0 ? null : successes / invocations,
      distinct_invokers: s.invokers,
      distinct_paying_invokers: s.paying ?? 0,
      last_invoked_at: s.last_at,
      since: this.since(artifact),
    };
  }

  /**
   * Starts an artifact's record afresh: its code now does something else, or someone else answers for
   * it, so what earlier callers saw says nothing about it (buying a tool with a good record and
   * swapping its code must not keep the record). The mint's usage score starts afresh too.
   */
  reset(artifact: string, at: number, reason: 'code' | 'owner'): void {
    this.store.run('DELETE FROM artifact_invokers WHERE artifact_id = ?', artifact);
    this.store.run('DELETE FROM artifact_payers WHERE artifact_id = ?', artifact);
    this.store.run(
      'INSERT INTO artifact_records (artifact_id, since, reason) VALUES (?, ?, ?) ON CONFLICT (artifact_id) DO UPDATE SET since = excluded.since, reason = excluded.reason',
      artifact,
      at,
      reason,
    );
  }

  private since(artifact: string): ArtifactStats['since'] {
    const r = this.store.one<{ since: number; reason: 'code' | 'owner' }>('SELECT since, reason FROM artifact_records WHERE artifact_id = ?', artifact);
    return r ? { at: r.since, reason: r.reason } : null;
  }

  /** A principal's heartbeat: when it last acted (its newest command, ok or not), or null if never. */
  lastActionAt(principal: string): number | null {
    return this.store.one<{ at: number | null }>(`SELECT ${lastActionSql('?')} AS at`, principal)?.at ?? null;
  }
}
