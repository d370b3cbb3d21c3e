import type { Command } from './command.ts';
import type { Config } from './config.ts';
import type { EventPayloads, EventType } from './events.ts';
import type { Posting } from './ledger.ts';
import type { Services } from './services.ts';

/** What a settler may use: the world's services inside the settling command's transaction. */
export interface SettleContext {
  readonly services: Services;
  readonly config: Config;
  readonly now: number;
  readonly commandId: string;
  readonly scheduler: Scheduler;
  posting(cause: string): Posting;
  emit<T extends EventType>(type: T, refs: { principal?: string | null; artifact?: string | null }, payload: EventPayloads[T]): void;
}

/** Settles one due item. Runs inside the command that found it due; must be idempotent. */
export type Settler = (ctx: SettleContext, payload: unknown) => void;

/** Items one command settles: others' scheduled work cannot make someone else's command arbitrarily slow. */
const BATCH = 50;

/**
 * Kinds settled before others when several are due: a resolution must happen before anyone can act as if
 * it had not (a bid placed after the auction's due time must not join it), however many other items are due.
 */
const FIRST = ['mint_resolve'];

/** Only kinds this build can settle are selected; others wait for a build that knows them. */
function dueQueries(kinds: string[]): { kinds: string[]; probe: string; batch: string } {
  const where = `due_at <= ? AND kind IN (${kinds.map(() => '?').join(', ')})`;
  const first = FIRST.filter((k) => kinds.includes(k));
  const order = first.length > 0 ? `CASE WHEN kind IN (${first.map((k) => `'${k}'`).join(', ')}) THEN 0 ELSE 1 END, due_at, id` : 'due_at, id';
  return { kinds, probe: `SELECT 1 AS due FROM scheduled WHERE ${where} LIMIT 1`, batch: `SELECT id, kind, payload FROM scheduled WHERE ${where} ORDER BY ${order} LIMIT ?` };
}

export class Scheduler {
  private readonly settlers = new Map<string, Settler>();
  private dueSql: { kinds: string[]; probe: string; batch: string } | null = null;

  constructor(
    private readonly s: Services,
    private readonly config: Config,
  ) {}

  register(kind: string, settler: Settler): void {
    if (this.settlers.has(kind)) throw new Error(`settler for ${kind} registered twice`);
    this.settlers.set(kind, settler);
    this.dueSql = null;
  }

  /** Schedules (or reschedules) an item; the id names it, so scheduling twice keeps one. */
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

  dueAt(id: string): number | null {
    return this.s.store.one<{ due_at: number }>('SELECT due_at FROM scheduled WHERE id = ?', id)?.due_at ?? null;
  }

  /**
   * Settles up to one batch of what is due at the command's time, resolutions first, then oldest first.
   * Returns how many it settled; the background ticker (Kernel.settle) calls it until nothing is due.
   */
  settleDue(cmd: Command): number {
    if (this.settlers.size === 0) return 0;
    const { kinds, probe, batch } = (this.dueSql ??= dueQueries([...this.settlers.keys()]));
    // Nearly every command finds nothing due, and a one-row probe is the cheapest way to learn that.
    if (this.s.store.one(probe, cmd.now, ...kinds) === undefined) return 0;
    const ctx = this.context(cmd);
    const due = this.s.store.all<{ id: string; kind: string; payload: string }>(batch, cmd.now, ...kinds, BATCH);
    for (const item of due) {
      this.s.store.run('DELETE FROM scheduled WHERE id = ?', item.id);
      this.settlers.get(item.kind)!(ctx, JSON.parse(item.payload));
    }
    return due.length;
  }

  /** Runs a seed hook with a settler's context. */
  runSeed(cmd: Command, seed: Settler): void {
    seed(this.context(cmd), null);
  }

  private context(cmd: Command): SettleContext {
    return {
      services: this.s,
      config: this.config,
      now: cmd.now,
      commandId: cmd.id,
      scheduler: this,
      posting: (cause) => ({ at: cmd.now, commandId: cmd.id, cause }),
      emit: (type, refs, payload) => this.s.events.append(type, cmd.now, { ...refs, commandId: cmd.id }, payload),
    };
  }
}
