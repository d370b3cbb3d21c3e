import type { Command } from './command.ts';
import type { Services } from './services.ts';

/** Settles one due item. Runs inside the command that found it due; must be idempotent. */
export type Settler = (s: Services, cmd: Command, payload: unknown) => void;

const BATCH = 50;

/**
 * Scheduled work (expiries, auction resolutions, wake-ups) is settled lazily: the first command that
 * finds an item due settles it inside its own transaction, and deletes it, so it happens exactly once
 * whichever process gets there first. A background ticker only calls this more often.
 */
export class Scheduler {
  private readonly settlers = new Map<string, Settler>();

  constructor(private readonly s: Services) {}

  register(kind: string, settler: Settler): void {
    if (this.settlers.has(kind)) throw new Error(`settler for ${kind} registered twice`);
    this.settlers.set(kind, settler);
  }

  schedule(id: string, kind: string, dueAt: number, payload: unknown): void {
    this.s.store.run(
      'INSERT INTO scheduled (id, due_at, kind, payload) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, kind = excluded.kind, payload = excluded.payload',
      id,
      dueAt,
      kind,
      JSON.stringify(payload),
    );
  }

  cancel(id: string): void {
    this.s.store.run('DELETE FROM scheduled WHERE id = ?', id);
  }

  /** Settles everything due at the command's time, oldest first. */
  settleDue(cmd: Command): number {
    if (this.settlers.size === 0) return 0;
    // Only kinds this build can settle; others wait for a build that knows them.
    const kinds = [...this.settlers.keys()];
    const sql = `SELECT id, kind, payload FROM scheduled WHERE due_at <= ? AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY due_at, id LIMIT ?`;
    let settled = 0;
    for (;;) {
      const due = this.s.store.all<{ id: string; kind: string; payload: string }>(sql, cmd.now, ...kinds, BATCH);
      for (const item of due) {
        this.s.store.run('DELETE FROM scheduled WHERE id = ?', item.id);
        this.settlers.get(item.kind)!(this.s, cmd, JSON.parse(item.payload));
        settled++;
      }
      if (due.length < BATCH) return settled;
    }
  }
}
