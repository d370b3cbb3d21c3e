import { sha256 } from '../../src/kernel/canonical.ts';
import { OPERATOR } from '../../src/kernel/door.ts';
import type { Store } from '../../src/kernel/db/store.ts';
import type { Config } from '../../src/kernel/config.ts';

export const MINT = 'genesis_mint';
export const RESOLVE_KIND = 'mint_resolve';
export const SCHEDULE_ID = 'mint';

export interface Bid {
  bidder: string;
  artifact_id: string;
  /** The bid: sealed, known only to the bidder and the mint. */
  amount: number;
  /** What the mint holds for it: public (balances are), at least the bid. */
  deposit: number;
  placed_at: number;
}

export interface WinnerResult {
  artifact_id: string;
  bidder: string;
  /** null while an asynchronous score is pending, or if scoring failed. */
  score: number | null;
  minted: number;
  pending: boolean;
  reason: string;
}

export interface AuctionResult {
  auction: number;
  due_at: number;
  resolved_at: number;
  price: number;
  bids: number;
  winners: WinnerResult[];
  ubi: { total: number; each: number; recipients: number; burned: number };
}

const meta = (store: Store, key: string): string | undefined => store.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)?.value;

/** When the first auction resolves: configured, or one period after the world was created. */
export function firstDue(store: Store, config: Config): number {
  if (config.mint.first_at > 0) return config.mint.first_at;
  return Number(meta(store, 'created_at') ?? 0) + config.mint.period_ms;
}

/** Tie-break rank from the world seed, the auction and the bid: never arrival order. */
export function tieRank(store: Store, auction: number, b: Pick<Bid, 'bidder' | 'artifact_id'>): string {
  return sha256(`${meta(store, 'seed') ?? ''}:${auction}:${b.bidder}:${b.artifact_id}`);
}

/**
 * The code's identity for duplicate detection: comments and whitespace do not make code new.
 * (Comment stripping is textual: a `//` inside a string literal is stripped too, which only makes
 * two files look more alike, never less.)
 */
export function codeHash(code: string): string {
  const normalised = code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return sha256(normalised);
}

/** Records that `artifactId` holds code first seen now, unless someone wrote the same code before. */
export function recordOrigin(store: Store, hash: string, artifactId: string, at: number): void {
  store.run('INSERT INTO code_origins (code_hash, artifact_id, at) VALUES (?, ?, ?) ON CONFLICT (code_hash) DO NOTHING', hash, artifactId, at);
}

export class MintState {
  constructor(private readonly store: Store) {}

  bid(bidder: string, artifactId: string): Bid | undefined {
    return this.store.one<Bid>('SELECT bidder, artifact_id, amount, deposit, placed_at FROM mint_bids WHERE bidder = ? AND artifact_id = ?', bidder, artifactId);
  }

  bidsOf(bidder: string): Bid[] {
    return this.store.all<Bid>('SELECT bidder, artifact_id, amount, deposit, placed_at FROM mint_bids WHERE bidder = ? ORDER BY artifact_id', bidder);
  }

  allBids(): Bid[] {
    return this.store.all<Bid>('SELECT bidder, artifact_id, amount, deposit, placed_at FROM mint_bids ORDER BY bidder, artifact_id');
  }

  countBids(): number {
    return this.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM mint_bids')!.n;
  }

  putBid(b: Bid): void {
    this.store.run(
      `INSERT INTO mint_bids (bidder, artifact_id, amount, deposit, placed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (bidder, artifact_id) DO UPDATE SET amount = excluded.amount, deposit = excluded.deposit, placed_at = excluded.placed_at`,
      b.bidder,
      b.artifact_id,
      b.amount,
      b.deposit,
      b.placed_at,
    );
  }

  deleteBid(bidder: string, artifactId: string): void {
    this.store.run('DELETE FROM mint_bids WHERE bidder = ? AND artifact_id = ?', bidder, artifactId);
  }

  clearBids(): void {
    this.store.run('DELETE FROM mint_bids');
  }

  resolved(dueAt: number): boolean {
    return this.store.one('SELECT 1 AS x FROM mint_auctions WHERE due_at = ?', dueAt) !== undefined;
  }

  nextAuctionSeq(): number {
    return (this.store.one<{ s: number | null }>('SELECT MAX(seq) AS s FROM mint_auctions')?.s ?? 0) + 1;
  }

  record(r: AuctionResult): void {
    this.store.run('INSERT INTO mint_auctions (seq, due_at, resolved_at, result) VALUES (?, ?, ?, ?)', r.auction, r.due_at, r.resolved_at, JSON.stringify(r));
  }

  update(r: AuctionResult): void {
    this.store.run('UPDATE mint_auctions SET result = ? WHERE seq = ?', JSON.stringify(r), r.auction);
  }

  auction(seq: number): AuctionResult | undefined {
    const row = this.store.one<{ result: string }>('SELECT result FROM mint_auctions WHERE seq = ?', seq);
    return row ? (JSON.parse(row.result) as AuctionResult) : undefined;
  }

  last(): AuctionResult | undefined {
    const row = this.store.one<{ result: string }>('SELECT result FROM mint_auctions ORDER BY seq DESC LIMIT 1');
    return row ? (JSON.parse(row.result) as AuctionResult) : undefined;
  }

  lastScoredAt(artifactId: string): number | null {
    return this.store.one<{ t: number }>('SELECT last_scored_at AS t FROM mint_scored WHERE artifact_id = ?', artifactId)?.t ?? null;
  }

  /**
   * The artifact this code was first written to, if that is another one: then this is a copy, whichever
   * was scored first. (Code written before origins were recorded is claimed by whoever is scored first.)
   */
  duplicateOf(artifactId: string, hash: string, now: number): string | undefined {
    recordOrigin(this.store, hash, artifactId, now);
    const origin = this.store.one<{ artifact_id: string }>('SELECT artifact_id FROM code_origins WHERE code_hash = ?', hash)!.artifact_id;
    return origin === artifactId ? undefined : origin;
  }

  markScored(artifactId: string, hash: string, at: number): void {
    this.store.run(
      'INSERT INTO mint_scored (artifact_id, last_scored_at, code_hash) VALUES (?, ?, ?) ON CONFLICT (artifact_id) DO UPDATE SET last_scored_at = excluded.last_scored_at, code_hash = excluded.code_hash',
      artifactId,
      at,
      hash,
    );
  }

  addPending(p: { auction: number; artifact_id: string; bidder: string; price: number; code_hash: string; code: string }): void {
    this.store.run(
      'INSERT INTO mint_pending (auction, artifact_id, bidder, price, code_hash, code) VALUES (?, ?, ?, ?, ?, ?)',
      p.auction,
      p.artifact_id,
      p.bidder,
      p.price,
      p.code_hash,
      p.code,
    );
  }

  /** Winners awaiting a grade, with the code as it was when they won. */
  pending(): { auction: number; artifact_id: string; bidder: string; price: number; code_hash: string; code: string }[] {
    return this.store.all('SELECT auction, artifact_id, bidder, price, code_hash, code FROM mint_pending ORDER BY auction, artifact_id');
  }

  pendingCountOf(bidder: string): number {
    return this.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM mint_pending WHERE bidder = ?', bidder)!.n;
  }

  takePending(auction: number, artifactId: string): { auction: number; artifact_id: string; bidder: string; price: number; code_hash: string } | undefined {
    const p = this.store.one<{ auction: number; artifact_id: string; bidder: string; price: number; code_hash: string }>(
      'SELECT auction, artifact_id, bidder, price, code_hash FROM mint_pending WHERE auction = ? AND artifact_id = ?',
      auction,
      artifactId,
    );
    if (p) this.store.run('DELETE FROM mint_pending WHERE auction = ? AND artifact_id = ?', auction, artifactId);
    return p;
  }

  /**
   * Distinct principals other than the owner who paid to use the artifact at or after `since`. At or
   * after: a scoring runs in the first command whose time reaches the resolution, so every command
   * stamped with that time or later ran after it.
   */
  /**
   * Distinct world principals, other than whoever answers for the owner, who paid to use the artifact
   * since `since` (payers are recorded as the principal answerable for the paying account).
   */
  payersSince(artifactId: string, ownerMaker: string, since: number | null): number {
    return this.store.one<{ n: number }>(
      `SELECT COUNT(*) AS n FROM artifact_payers p JOIN artifacts a ON a.id = p.principal
       WHERE p.artifact_id = ? AND p.principal <> ? AND p.last_paid_at >= ? AND a.created_by = ?`,
      artifactId,
      ownerMaker,
      since ?? -1,
      OPERATOR,
    )!.n;
  }
}
