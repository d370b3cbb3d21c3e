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

/** Accounts whose contents would reveal sealed information (bids the mint holds): not public. */
export const isSealedAccount = (principal: string): boolean => principal === MINT_ACCOUNT;

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


export const isAsset = (s: string): s is Asset => (ASSETS as readonly string[]).includes(s);
export const isRateResource = (s: string): s is RateResource => (RATE_RESOURCES as readonly string[]).includes(s);

/**
 * Double-entry balances. A movement is one journal row; triggers in the database apply it to the
 * balances in the same statement and refuse it (moving nothing) if the payer is short, the payee has
 * no account, or the payee would pass 2^53 - 1. So no interleaving can overdraw an account, and no
 * balance can change without its journal row.
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
    assert(from !== to, `ledger move from ${from} to itself`);
    this.post('transfer', from, to, asset, amount, p);
  }

  /** Creates `amount` new units in `to`'s account, journalled as issued by the mint. */
  issue(to: string, asset: Asset, amount: number, p: Posting): void {
    this.post('issue', MINT_ACCOUNT, to, asset, amount, p);
  }

  /** Destroys `amount` units from `from`'s account, journalled as sent to the burn account. */
  burn(from: string, asset: Asset, amount: number, p: Posting): void {
    this.post('burn', from, BURN_ACCOUNT, asset, amount, p);
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

  private post(kind: JournalKind, from: string, to: string, asset: Asset, amount: number, p: Posting): void {
    checkAmount(amount);
    try {
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
    } catch (err) {
      throw this.refusal(err, from, to, asset, amount);
    }
  }

  private refusal(err: unknown, from: string, to: string, asset: Asset, amount: number): unknown {
    const msg = (err as Error).message ?? '';
    if (msg.includes('INSUFFICIENT_FUNDS')) {
      const have = this.balance(from, asset);
      return new KernelError(
        'INSUFFICIENT_FUNDS',
        `${from} has ${have} ${asset} but ${amount} is needed. Earn or receive more ${asset}, or use a smaller amount.`,
        { principal: from, asset, need: amount, have },
      );
    }
    if (msg.includes('BALANCE_OVERFLOW')) {
      return new KernelError('LIMIT_EXCEEDED', `Crediting ${amount} ${asset} to ${to} would exceed the largest exact balance (2^53 - 1). Use a smaller amount.`, { principal: to, asset, amount });
    }
    if (msg.includes('TOMBSTONE')) {
      return new KernelError('DELETED', `'${to}' was deleted, so it can no longer receive ${asset}. Pay a live principal instead.`, { principal: to, asset });
    }
    if (msg.includes('NO_ACCOUNT')) {
      return new KernelError('NOT_FOUND', `'${to}' has no ledger account: only principals (artifacts with standing) can hold ${asset}.`, { principal: to, asset });
    }
    return err;
  }
}

function checkAmount(amount: number): void {
  assert(Number.isSafeInteger(amount) && amount > 0, `ledger amount must be a positive safe integer, got ${amount}`);
}
