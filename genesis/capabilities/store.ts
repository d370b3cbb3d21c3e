import type { Store } from '../../src/kernel/db/store.ts';

export type RequestStatus = 'open' | 'granted' | 'denied';

export interface RequestRow {
  id: string;
  capability: string;
  status: RequestStatus;
  created_by: string;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
  note: string | null;
  attached: string | null;
}

export interface BackerRow {
  request_id: string;
  principal: string;
  reason: string;
  offer: number;
  at: number;
}

/** Requests for the same thing are one request: compared without case or extra spaces. */
export const capabilityKey = (capability: string): string => capability.trim().toLowerCase().replace(/\s+/g, ' ');

const COLUMNS = 'id, capability, status, created_by, created_at, decided_at, decided_by, note, attached';
/** A request `r`'s demand: its backers' distinct makers. */
const DEMAND = '(SELECT COUNT(DISTINCT COALESCE(a.maker, b.principal)) FROM capability_backers b LEFT JOIN artifacts a ON a.id = b.principal WHERE b.request_id = r.id)';

/** Capability requests and who backs each (its demand), with the scrip each offers held in custody until decided. */
export class CapabilityRequests {
  constructor(private readonly store: Store) {}

  get(id: string): RequestRow | undefined {
    return this.store.one<RequestRow>(`SELECT ${COLUMNS} FROM capability_requests WHERE id = ?`, id);
  }

  openFor(capability: string): RequestRow | undefined {
    return this.store.one<RequestRow>(`SELECT ${COLUMNS} FROM capability_requests WHERE key = ? AND status = 'open'`, capabilityKey(capability));
  }

  backers(id: string): BackerRow[] {
    return this.store.all<BackerRow>('SELECT request_id, principal, reason, offer, at FROM capability_backers WHERE request_id = ? ORDER BY at, principal', id);
  }

  /** Who backs a request, counted by maker: an agent's wallets and the agents it spawned count as the agent. */
  demand(id: string): number {
    return this.store.one<{ n: number }>(`SELECT ${DEMAND} AS n FROM capability_requests r WHERE r.id = ?`, id)!.n;
  }

  backer(id: string, principal: string): BackerRow | undefined {
    return this.store.one<BackerRow>('SELECT request_id, principal, reason, offer, at FROM capability_backers WHERE request_id = ? AND principal = ?', id, principal);
  }

  /** Open requests `principal` backs. */
  openBackedBy(principal: string): number {
    return this.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM capability_backers b JOIN capability_requests r ON r.id = b.request_id WHERE b.principal = ? AND r.status = 'open'", principal)!.n;
  }

  /** A page of requests, newest first, after `before` (a created_at, id pair encoded by the caller). */
  page(filter: { status?: RequestStatus; backer?: string }, after: string | null, limit: number): (RequestRow & { demand: number; offered: number })[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push('r.status = ?');
      params.push(filter.status);
    }
    if (filter.backer) {
      where.push('EXISTS (SELECT 1 FROM capability_backers m WHERE m.request_id = r.id AND m.principal = ?)');
      params.push(filter.backer);
    }
    if (after) {
      where.push('r.id > ?');
      params.push(after);
    }
    return this.store.all(
      `SELECT ${COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')}, ${DEMAND} AS demand,
         (SELECT COALESCE(SUM(offer), 0) FROM capability_backers b WHERE b.request_id = r.id) AS offered
       FROM capability_requests r ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id LIMIT ?`,
      ...params,
      limit,
    );
  }

  insert(r: RequestRow): void {
    this.store.run(`INSERT INTO capability_requests (${COLUMNS}, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.id, r.capability, r.status, r.created_by, r.created_at, r.decided_at, r.decided_by, r.note, r.attached, capabilityKey(r.capability));
  }

  /** Adds a backer, or updates one (a new reason; its offer raised by `more`). */
  back(id: string, principal: string, reason: string, more: number, at: number): void {
    this.store.run(
      'INSERT INTO capability_backers (request_id, principal, reason, offer, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id, principal) DO UPDATE SET reason = excluded.reason, offer = offer + excluded.offer',
      id,
      principal,
      reason,
      more,
      at,
    );
  }

  decide(id: string, status: 'granted' | 'denied', by: string, at: number, note: string | null, attached: string | null): void {
    this.store.run("UPDATE capability_requests SET status = ?, decided_by = ?, decided_at = ?, note = ?, attached = ? WHERE id = ? AND status = 'open'", status, by, at, note, attached, id);
  }
}
