import type { Store } from '../../src/kernel/db/store.ts';

export type AgentState = 'running' | 'sleeping' | 'frozen' | 'paused';

export interface AgentRow {
  id: string;
  spawner: string;
  memory_id: string;
  state: AgentState;
  state_reason: string | null;
  state_at: number;
  sleep_until: number | null;
  wake_on: string | null;
  wake_after_seq: number | null;
  steps: number;
  consecutive_errors: number;
  last_step_at: number | null;
  last_error: string | null;
  created_at: number;
}

/** Scheduled work that wakes a sleeping agent at its time. */
export const WAKE_KIND = 'agent_wake';

const COLUMNS = 'id, spawner, memory_id, state, state_reason, state_at, sleep_until, wake_on, wake_after_seq, steps, consecutive_errors, last_step_at, last_error, created_at';

/** Hosted agents' run state, in the database so that every process sees the same (pause included). */
export class Agents {
  constructor(private readonly store: Store) {}

  get(id: string): AgentRow | undefined {
    return this.store.one<AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE id = ?`, id);
  }

  insert(a: { id: string; spawner: string; memory_id: string; at: number }): void {
    this.store.run(`INSERT INTO agents (id, spawner, memory_id, state, state_at, created_at) VALUES (?, ?, ?, 'running', ?, ?)`, a.id, a.spawner, a.memory_id, a.at, a.at);
  }

  setState(id: string, state: AgentState, at: number, fields: { reason?: string | null; sleep_until?: number | null; wake_on?: string | null; wake_after_seq?: number | null } = {}): void {
    this.store.run(
      `UPDATE agents SET state = ?, state_at = ?, state_reason = ?, sleep_until = ?, wake_on = ?, wake_after_seq = ? WHERE id = ?`,
      state,
      at,
      fields.reason ?? null,
      fields.sleep_until ?? null,
      fields.wake_on ?? null,
      fields.wake_after_seq ?? null,
      id,
    );
  }

  list(opts: { state?: AgentState; after?: string; limit: number }): AgentRow[] {
    return this.store.all<AgentRow>(
      `SELECT ${COLUMNS} FROM agents WHERE id > ? AND (? IS NULL OR state = ?) ORDER BY id LIMIT ?`,
      opts.after ?? '',
      opts.state ?? null,
      opts.state ?? null,
      opts.limit,
    );
  }

  /** Leases a running agent (or, with `force`, any) to `holder` until `until`, unless another holds a live lease. */
  claim(id: string, holder: string, until: number, now: number, force: boolean): boolean {
    return (
      this.store.run(
        // A listed agent is in escrow's custody: nobody steps it, not even a forced step.
        `UPDATE agents SET lease_holder = ?, lease_until = ? WHERE id = ? AND (? OR state = 'running') AND (lease_until IS NULL OR lease_until < ? OR lease_holder = ?)
         AND NOT EXISTS (SELECT 1 FROM artifacts x WHERE x.id = agents.id AND x.listing IS NOT NULL)`,
        holder,
        until,
        id,
        force ? 1 : 0,
        now,
        holder,
      ).changes === 1
    );
  }

  /** Puts a sold agent to sleep until woken (a paused or frozen one stays so: a sale is no way out), ending any lease. */
  holdForNewOwner(id: string, reason: string, at: number): void {
    this.store.run(
      "UPDATE agents SET state = 'sleeping', state_reason = ?, state_at = ?, sleep_until = NULL, wake_on = NULL, lease_holder = NULL, lease_until = NULL WHERE id = ? AND state IN ('running', 'sleeping')",
      reason,
      at,
      id,
    );
  }

  /** Counts a step and ends its lease. */
  stepped(id: string, at: number, consecutiveErrors: number, lastError: string | null): void {
    this.store.run('UPDATE agents SET steps = steps + 1, last_step_at = ?, consecutive_errors = ?, last_error = ?, lease_holder = NULL, lease_until = NULL WHERE id = ?', at, consecutiveErrors, lastError, id);
  }

  clearErrors(id: string): void {
    this.store.run('UPDATE agents SET consecutive_errors = 0 WHERE id = ?', id);
  }

  /** Stores a step's trace and drops those older than the last `keep`. */
  addTrace(id: string, step: number, at: number, text: string, keep: number): void {
    this.store.run('INSERT OR REPLACE INTO agent_traces (agent, step, at, size_bytes, trace) VALUES (?, ?, ?, ?, ?)', id, step, at, Buffer.byteLength(text), text);
    this.store.run('DELETE FROM agent_traces WHERE agent = ? AND step <= ?', id, step - keep);
  }

  /** Drops traces older than `cutoff`, any agent's, a bounded batch per call (each recorded step sweeps a little). */
  dropTracesBefore(cutoff: number): number {
    return this.store.run('DELETE FROM agent_traces WHERE (agent, step) IN (SELECT agent, step FROM agent_traces WHERE at < ? ORDER BY at LIMIT 64)', cutoff).changes;
  }

  /** Its latest traces, newest first, before `beforeStep` if given. */
  traces(id: string, limit: number, beforeStep = Number.MAX_SAFE_INTEGER): Record<string, unknown>[] {
    return this.store.all<{ trace: string }>('SELECT trace FROM agent_traces WHERE agent = ? AND step < ? ORDER BY step DESC LIMIT ?', id, beforeStep, limit).map((r) => JSON.parse(r.trace) as Record<string, unknown>);
  }

  /**
   * Sleeping agents waiting for an event, those whose look at the log is furthest behind first: each check
   * moves a sleeper's mark forward, so every sleeper takes its turn however many others sleep.
   */
  eventSleepers(limit: number): { id: string; wake_on: string; wake_after_seq: number }[] {
    return this.store.all(`SELECT id, wake_on, wake_after_seq FROM agents WHERE state = 'sleeping' AND wake_on IS NOT NULL ORDER BY wake_after_seq, id LIMIT ?`, limit);
  }

  /** Records that a sleeper's filter was matched against the log up to `seq`. */
  lookedUpTo(id: string, seq: number): void {
    this.store.run('UPDATE agents SET wake_after_seq = ? WHERE id = ? AND wake_after_seq < ?', seq, id, seq);
  }

  /** Whether any agent could wake now: one asleep for an event, or a frozen one. */
  anyWaiting(): boolean {
    return this.store.one<{ n: number }>("SELECT EXISTS (SELECT 1 FROM agents WHERE (state = 'sleeping' AND wake_on IS NOT NULL) OR state = 'frozen') AS n")!.n === 1;
  }
}
