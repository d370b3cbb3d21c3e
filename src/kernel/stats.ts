import type { Store } from './db/store.ts';

export interface ArtifactStats {
  invocations: number;
  successes: number;
  failures: number;
  success_rate: number | null;
  distinct_invokers: number;
  distinct_paying_invokers: number;
  last_invoked_at: number | null;
}

/** The invocation registry: how much each artifact is used, by how many, and how reliably. */
export class Stats {
  constructor(private readonly store: Store) {}

  record(artifact: string, invoker: string, ok: boolean, paid: number, at: number): void {
    this.store.run(
      `INSERT INTO artifact_stats (artifact_id, invocations, successes, failures, last_invoked_at) VALUES (?, 1, ?, ?, ?)
       ON CONFLICT (artifact_id) DO UPDATE SET invocations = invocations + 1, successes = successes + excluded.successes,
         failures = failures + excluded.failures, last_invoked_at = excluded.last_invoked_at`,
      artifact,
      ok ? 1 : 0,
      ok ? 0 : 1,
      at,
    );
    this.store.run(
      `INSERT INTO artifact_invokers (artifact_id, invoker, invocations, successes, scrip_paid, last_paid_at) VALUES (?, ?, 1, ?, ?, ?)
       ON CONFLICT (artifact_id, invoker) DO UPDATE SET invocations = invocations + 1, successes = successes + excluded.successes,
         scrip_paid = scrip_paid + excluded.scrip_paid, last_paid_at = COALESCE(excluded.last_paid_at, last_paid_at)`,
      artifact,
      invoker,
      ok ? 1 : 0,
      paid,
      paid > 0 ? at : null,
    );
  }

  get(artifact: string): ArtifactStats {
    const s = this.store.one<{ invocations: number; successes: number; failures: number; last_invoked_at: number | null }>(
      'SELECT invocations, successes, failures, last_invoked_at FROM artifact_stats WHERE artifact_id = ?',
      artifact,
    );
    const d = this.store.one<{ n: number; paying: number }>(
      'SELECT COUNT(*) AS n, COALESCE(SUM(scrip_paid > 0), 0) AS paying FROM artifact_invokers WHERE artifact_id = ?',
      artifact,
    )!;
    const invocations = s?.invocations ?? 0;
    return {
      invocations,
      successes: s?.successes ?? 0,
      failures: s?.failures ?? 0,
      success_rate: invocations === 0 ? null : (s?.successes ?? 0) / invocations,
      distinct_invokers: d.n,
      distinct_paying_invokers: d.paying,
      last_invoked_at: s?.last_invoked_at ?? null,
    };
  }
}
