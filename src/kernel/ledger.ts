import { KernelError, assert } from './errors.ts';
import type { Store } from './db/store.ts';

/** Every ledger asset is an integer in its natural unit. Rate assets are per-window allocations. */
export const ASSETS = ['scrip', 'llm_budget_micro_usd', 'disk_bytes', 'calls', 'cpu_ms', 'llm_tokens'] as const;
export type Asset = (typeof ASSETS)[number];
export const RATE_RESOURCES = ['calls', 'cpu_ms', 'llm_tokens'] as const satisfies readonly Asset[];
export type RateResource = (typeof RATE_RESOURCES)[number];

/** Issuer and sink. Issues come from the mint, burns go to the burn account; both are counted, so supply is checkable. */
export const MINT_ACCOUNT = 'genesis_mint';
export const BURN_ACCOUNT = 'genesis_burn';

export type JournalKind = 'transfer' | 'issue' | 'burn';

export interface JournalRow {
  seq: number;
  at: number;
  asset: Asset;
  kind: JournalKind;
  from_id: string;
  to_id: string;
  amount: number;
  cause: string;
  command_id: string;
}

export interface Posting {
  at: number;
  commandId: string;
  cause: string;
}

const MAX = Number.MAX_SAFE_INTEGER;

export const isAsset = (s: string): s is Asset => (ASSETS as readonly string[]).includes(s);
export const isRateResource = (s: string): s is RateResource => (RATE_RESOURCES as readonly string[]).includes(s);

/**
 * Double-entry balances. Every change is a journal row in the same transaction as the balance update;
 * a debit is guarded in SQL (`balance >= amount`), so no interleaving can overdraw an account.
 */
export class Ledger {
  constructor(private readonly store: Store) {}

  balance(principal: string, asset: Asset): number {
    return this.store.one<{ balance: number }>('SELECT balance FROM accounts WHERE principal = ? AND asset = ?', principal, asset)?.balance ?? 0;
  }

  balances(principal: string): Record<Asset, number> {
    const out = Object.fromEntries(ASSETS.map((a) => [a, 0])) as Record<Asset, number>;
    for (const r of this.store.all<{ asset: Asset; balance: number }>('SELECT asset, balance FROM accounts WHERE principal = ?', principal)) {
      out[r.asset] = r.balance;
    }
    return out;
  }

  /** Moves `amount` between two accounts; INSUFFICIENT_FUNDS if `from` cannot cover it. */
  move(from: string, to: string, asset: Asset, amount: number, p: Posting): void {
    checkAmount(amount);
    assert(from !== to, `ledger move from ${from} to itself`);
    this.debit(from, asset, amount);
    this.credit(to, asset, amount);
    this.journal('transfer', from, to, asset, amount, p);
  }

  /** Creates `amount` new units in `to`'s account, journalled as issued by the mint. */
  issue(to: string, asset: Asset, amount: number, p: Posting): void {
    checkAmount(amount);
    this.credit(to, asset, amount);
    this.journal('issue', MINT_ACCOUNT, to, asset, amount, p);
  }

  /** Destroys `amount` units from `from`'s account, journalled as sent to the burn account. */
  burn(from: string, asset: Asset, amount: number, p: Posting): void {
    checkAmount(amount);
    this.debit(from, asset, amount);
    this.journal('burn', from, BURN_ACCOUNT, asset, amount, p);
  }

  history(principal: string, opts: { asset?: Asset; after?: number; limit: number }): { entries: JournalRow[]; next_cursor: number; has_more: boolean } {
    const assetClause = opts.asset ? 'AND asset = ?' : '';
    const params: unknown[] = opts.asset ? [principal, opts.after ?? 0, opts.asset, principal, opts.after ?? 0, opts.asset] : [principal, opts.after ?? 0, principal, opts.after ?? 0];
    // A UNION of two index range scans beats an OR on from_id/to_id.
    const rows = this.store.all<JournalRow>(
      `SELECT * FROM (
         SELECT seq, at, asset, kind, from_id, to_id, amount, cause, command_id FROM journal WHERE from_id = ? AND seq > ? ${assetClause}
         UNION
         SELECT seq, at, asset, kind, from_id, to_id, amount, cause, command_id FROM journal WHERE to_id = ? AND seq > ? ${assetClause}
       ) ORDER BY seq LIMIT ?`,
      ...params,
      opts.limit + 1,
    );
    const more = rows.length > opts.limit;
    const entries = more ? rows.slice(0, opts.limit) : rows;
    const last = entries.length > 0 ? entries[entries.length - 1]!.seq : (opts.after ?? 0);
    return { entries, next_cursor: last, has_more: more };
  }

  private debit(from: string, asset: Asset, amount: number): void {
    const r = this.store.run('UPDATE accounts SET balance = balance - ? WHERE principal = ? AND asset = ? AND balance >= ?', amount, from, asset, amount);
    if (r.changes === 1) return;
    const have = this.balance(from, asset);
    throw new KernelError(
      'INSUFFICIENT_FUNDS',
      `${from} has ${have} ${asset} but ${amount} is needed. Earn or receive more ${asset}, or use a smaller amount.`,
      { principal: from, asset, need: amount, have },
    );
  }

  private credit(to: string, asset: Asset, amount: number): void {
    const r = this.store.run(
      `INSERT INTO accounts (principal, asset, balance) VALUES (?, ?, ?)
       ON CONFLICT (principal, asset) DO UPDATE SET balance = balance + excluded.balance WHERE balance + excluded.balance <= ${MAX}`,
      to,
      asset,
      amount,
    );
    if (r.changes !== 1) {
      throw new KernelError('LIMIT_EXCEEDED', `Crediting ${amount} ${asset} to ${to} would exceed the largest exact balance (2^53 - 1). Use a smaller amount.`, {
        principal: to,
        asset,
        amount,
      });
    }
  }

  private journal(kind: JournalKind, from: string, to: string, asset: Asset, amount: number, p: Posting): void {
    this.store.run(
      'INSERT INTO journal (at, asset, kind, from_id, to_id, amount, cause, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      p.at,
      asset,
      kind,
      from,
      to,
      amount,
      p.cause,
      p.commandId,
    );
  }
}

function checkAmount(amount: number): void {
  assert(Number.isSafeInteger(amount) && amount > 0, `ledger amount must be a positive safe integer, got ${amount}`);
}
