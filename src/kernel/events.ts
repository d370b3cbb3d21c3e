import { invalidArgs } from './errors.ts';
import { Where } from './db/where.ts';
import type { Store } from './db/store.ts';

/**
 * The closed union of event types with their payloads. An event type not listed here cannot be
 * written: `append` is typed by this map and `readEvents` refuses unknown filter values.
 */
export interface EventPayloads {
  principal_created: { grants: Record<string, number> };
  /**
   * The log is public, so for an artifact not everyone may discover (see `isPublicArtifact`) events say
   * only that it was written or called, by whom, when and with what outcome code: never its kind, size,
   * methods or prices. (Optional fields below are those left out for such artifacts.) A failure's
   * message is never logged, for any artifact: it goes to the caller, and may quote the caller's input.
   */
  artifact_written: { version: number; created: boolean; kind?: string; size_bytes?: number };
  artifact_deleted: { version: number };
  artifact_transferred: { from: string; to: string };
  invoke_success: { caller: string; depth: number; duration_ms: number; method?: string; price_paid?: number };
  invoke_failure: { caller: string; depth: number; duration_ms: number; code: string; method?: string };
  transfer: { from: string; to: string; asset: string; amount: number; memo?: string };
  rights_transferred: { from: string; to: string; resource: string; amount: number };
  rate_limited: { resource: string; needed: number; remaining: number; retry_after_ms: number };
  contract_fallback: { contract: string; fallback: string; reason: string };
  config_changed: { hash: string };
  token_created: { token_id: string };
  token_revoked: { token_ids: string[] };
  // Later issues emit these; the union is closed but complete for the designed world.
  /** Sealed: who bid on what, never how much. */
  mint_bid: { artifact_id: string; action: 'placed' | 'replaced' | 'cancelled' };
  mint_resolved: { auction: number; price: number; bids: number; winners: { artifact_id: string; bidder: string; score: number | null; minted: number }[] };
  ubi: { auction: number; total: number; each: number; recipients: number; burned: number };
  mint_scored: { auction: number; artifact_id: string; score: number | null; minted: number; reason: string };
  escrow_listed: { listing_id: string; price: number; buyer?: string; expires_at?: number };
  escrow_sold: { listing_id: string; price: number; seller: string; buyer: string };
  escrow_cancelled: { listing_id: string };
  escrow_expired: { listing_id: string };
  /** An LLM call settled: its usage and what it cost its principal (outcome: ok, error, or lost when its process died). */
  llm_call: { endpoint: string; input_tokens: number; output_tokens: number; cost_micro_usd: number; outcome: string };
  /** Public on purpose: what a frozen agent holds, for anyone who would rescue or deal with it. */
  agent_frozen: { needed_micro_usd: number; inventory: Record<string, unknown> };
  agent_unfrozen: { rescuer: string | null };
  agent_slept: { until: number | null; on_event: unknown };
  agent_woke: { reason: string };
  /** Public: what is asked for and how many back it; never a backer's reason. */
  capability_requested: { request_id: string; capability: string; demand: number; merged: boolean };
  capability_granted: { request_id: string; capability: string; note: string | null; attached: unknown };
  capability_denied: { request_id: string; capability: string; note: string | null; refunded: number };
  bridge_call: Record<string, unknown>;
  /** An upstream's life, for the operator: started (how long it took), stopped (why), crashed (why, and when it restarts). */
  bridge_lifecycle: { server: string; instance: string; event: 'started' | 'stopped' | 'crashed'; ms?: number; reason?: string; retry_in_ms?: number };
  /** The operator changed a bridge: defined (added or replaced), removed from this world, or asked serving processes to restart it. */
  bridge_config: { server: string; action: 'defined' | 'removed' | 'restart' };
  package_installed: Record<string, unknown>;
}

export type EventType = keyof EventPayloads;

export const EVENT_TYPES = [
  'principal_created',
  'artifact_written',
  'artifact_deleted',
  'artifact_transferred',
  'invoke_success',
  'invoke_failure',
  'transfer',
  'rights_transferred',
  'rate_limited',
  'contract_fallback',
  'config_changed',
  'token_created',
  'token_revoked',
  'mint_bid',
  'mint_resolved',
  'ubi',
  'mint_scored',
  'escrow_listed',
  'escrow_sold',
  'escrow_cancelled',
  'escrow_expired',
  'llm_call',
  'agent_frozen',
  'agent_unfrozen',
  'agent_slept',
  'agent_woke',
  'capability_requested',
  'capability_granted',
  'capability_denied',
  'bridge_call',
  'bridge_lifecycle',
  'bridge_config',
  'package_installed',
] as const satisfies readonly EventType[];

// Compile-time proof that the list above names every key of EventPayloads.
type Missing = Exclude<EventType, (typeof EVENT_TYPES)[number]>;
const _complete: Missing extends never ? true : never = true;
void _complete;

export interface WorldEvent<T extends EventType = EventType> {
  seq: number;
  at: number;
  type: T;
  principal: string | null;
  artifact: string | null;
  payload: EventPayloads[T];
  command_id: string | null;
}

export interface EventFilter {
  types?: readonly string[];
  principal?: string;
  artifact?: string;
  /** Cursor: only events with seq greater than this. */
  after?: number;
  limit: number;
  /** With a filter, how many events past the cursor one read may examine. */
  scan: number;
}

const FLUSH_BATCH = 32;

/**
 * The append-only event log. Inside a transaction, events are buffered and written in one multi-row
 * insert at commit or before a savepoint opens; a rollback drops the unwritten ones with the rest of
 * what it undoes. Reads flush first, so a command sees its own events.
 */
export class EventLog {
  private pending: unknown[][] = [];

  constructor(private readonly store: Store) {
    store.listen({ flush: () => this.flush(), discard: () => (this.pending = []) });
  }

  append<T extends EventType>(
    type: T,
    at: number,
    refs: { principal?: string | null; artifact?: string | null; commandId?: string | null },
    payload: EventPayloads[T],
  ): void {
    this.pending.push([at, type, refs.principal ?? null, refs.artifact ?? null, JSON.stringify(payload), refs.commandId ?? null]);
    if (!this.store.inTransaction) this.flush();
  }

  flush(): void {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, FLUSH_BATCH);
      const rows = batch.map(() => '(?, ?, ?, ?, ?, ?)').join(', ');
      this.store.run(`INSERT INTO events (at, type, principal, artifact, payload, command_id) VALUES ${rows}`, ...batch.flat());
    }
  }

  /**
   * `next_cursor` is where to continue from (poll with it as `after`); `has_more` says more may be
   * waiting past it. A filtered read examines at most `scan` events after the cursor (the log keeps no
   * per-filter indexes, which would cost every command three more pages): when the window runs out
   * first, the page may hold fewer matches, and `has_more` with `next_cursor` at the window's end says
   * to continue from there.
   */
  read(filter: EventFilter): { events: WorldEvent[]; next_cursor: number; has_more: boolean } {
    this.flush();
    const after = filter.after ?? 0;
    const where = new Where().add('seq > ?', after);
    if (filter.types && filter.types.length > 0) {
      for (const t of filter.types) {
        if (!(EVENT_TYPES as readonly string[]).includes(t)) {
          throw invalidArgs(`Unknown event type '${t}'. Valid types: ${EVENT_TYPES.join(', ')}.`, { type: t });
        }
      }
      where.add(`type IN (${filter.types.map(() => '?').join(', ')})`, ...filter.types);
    }
    where.eq('principal', filter.principal).eq('artifact', filter.artifact);
    const filtered = where.size > 1;
    const windowEnd = after + Math.max(filter.scan, filter.limit + 1);
    if (filtered) where.add('seq <= ?', windowEnd);
    const rows = this.store.all<{ seq: number; at: number; type: EventType; principal: string | null; artifact: string | null; payload: string; command_id: string | null }>(
      `SELECT seq, at, type, principal, artifact, payload, command_id FROM events ${where} ORDER BY seq LIMIT ?`,
      ...where.params,
      filter.limit + 1,
    );
    const full = rows.length > filter.limit;
    const page = full ? rows.slice(0, filter.limit) : rows;
    const events = page.map((r) => ({ ...r, payload: JSON.parse(r.payload) as EventPayloads[EventType] }));
    if (full || !filtered) return { events, next_cursor: page.length > 0 ? page[page.length - 1]!.seq : after, has_more: full };
    // The window ran out before the page filled: continue after the window if the log goes on.
    const latest = this.latestSeq();
    return windowEnd < latest ? { events, next_cursor: windowEnd, has_more: true } : { events, next_cursor: page.length > 0 ? page[page.length - 1]!.seq : after, has_more: false };
  }

  latestSeq(): number {
    this.flush();
    return this.store.one<{ s: number | null }>('SELECT MAX(seq) AS s FROM events')?.s ?? 0;
  }
}
