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
}
