import type { Store } from '../../src/kernel/db/store.ts';
import { Where } from '../../src/kernel/db/where.ts';

export type ListingStatus = 'active' | 'sold' | 'cancelled' | 'expired';

export interface Listing {
  id: string;
  artifact_id: string;
  seller: string;
  price: number;
  buyer: string | null;
  expires_at: number | null;
  status: ListingStatus;
  created_at: number;
  closed_at: number | null;
  purchaser: string | null;
}

const COLUMNS = 'id, artifact_id, seller, price, buyer, expires_at, status, created_at, closed_at, purchaser';

/** Escrow listings in the database: one active listing per artifact at most (a unique index). */
export class ListingStore {
  constructor(private readonly store: Store) {}

  get(id: string): Listing | undefined {
    return this.store.one<Listing>(`SELECT ${COLUMNS} FROM escrow_listings WHERE id = ?`, id);
  }

  insert(l: Omit<Listing, 'status' | 'closed_at' | 'purchaser'>): void {
    this.store.run(
      `INSERT INTO escrow_listings (id, artifact_id, seller, price, buyer, expires_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)`,
      l.id,
      l.artifact_id,
      l.seller,
      l.price,
      l.buyer,
      l.expires_at,
      l.created_at,
    );
  }

  /** Closes an active listing; false if it was no longer active (someone got there first). */
  close(id: string, status: Exclude<ListingStatus, 'active'>, at: number, purchaser: string | null = null): boolean {
    return this.store.run("UPDATE escrow_listings SET status = ?, closed_at = ?, purchaser = ? WHERE id = ? AND status = 'active'", status, at, purchaser, id).changes === 1;
  }

  active(filter: { artifact_id?: string; seller?: string; buyer?: string }, offset: number, limit: number): Listing[] {
    const where = new Where().add("status = 'active'").eq('artifact_id', filter.artifact_id).eq('seller', filter.seller).eq('buyer', filter.buyer);
    return this.store.all<Listing>(`SELECT ${COLUMNS} FROM escrow_listings ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`, ...where.params, limit, offset);
  }
}
