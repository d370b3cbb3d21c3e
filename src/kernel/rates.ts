import { KernelError } from './errors.ts';
import type { Store } from './db/store.ts';
import type { RateResource } from './ledger.ts';

export interface RateStatus {
  allocation: number;
  used: number;
  remaining: number;
  window_ms: number;
}

/**
 * Exact rolling windows: a log of (time, amount) per (principal, resource) plus a running total kept
 * by triggers. Usage at time `now` is the sum of entries with `at > now - window`. The allocation is
 * the principal's ledger balance of the resource, so allocations are transferable rights.
 * Strict: no burst, no debt; a request that does not fit fails and records nothing.
 *
 * Expiry is lazy: a database guard refuses any entry that would take the running total past the
 * allocation, and only then are expired entries dropped and the entry tried again. So the common
 * case is one statement, the log never holds more than the allocation, and status reads expire first.
 */
export class Rates {
  constructor(
    private readonly store: Store,
    readonly windowMs: number,
  ) {}

  status(principal: string, resource: RateResource, now: number): RateStatus {
    const { allocation, used } = this.load(principal, resource, now);
    return { allocation, used, remaining: Math.max(0, allocation - used), window_ms: this.windowMs };
  }

  /**
   * What is left of a window, read without writing anything (expired usage is only not counted): for
   * checks made outside a transaction, before work the world does on a principal's behalf.
   */
  peekRemaining(principal: string, resource: RateResource, now: number): number {
    const row = this.store.one<{ allocation: number; used: number }>(
      `SELECT COALESCE((SELECT balance FROM accounts WHERE principal = ?1 AND asset = ?2), 0) AS allocation,
              COALESCE((SELECT SUM(amount) FROM rate_log WHERE principal = ?1 AND resource = ?2 AND at > ?3), 0) AS used`,
      principal,
      resource,
      now - this.windowMs,
    )!;
    return Math.max(0, row.allocation - row.used);
  }

  /** Records `amount` of usage, or throws RATE_LIMITED with how long until it would fit. */
  consume(principal: string, resource: RateResource, amount: number, now: number): void {
    if (amount === 0 || this.tryRecord(principal, resource, amount, now)) return;
    const { allocation, used } = this.load(principal, resource, now);
    if (used + amount > allocation || !this.tryRecord(principal, resource, amount, now)) {
      throw this.limited(principal, resource, amount, allocation, used, now);
    }
  }

  /**
   * Records usage already burned (CPU, tokens), capped to what the window still allows: never debt.
   * `left`, when the caller read the window earlier in this command, saves reading it again: the usage
   * is recorded in one statement if it fits, and the guard trigger catches a window that moved since.
   */
  charge(principal: string, resource: RateResource, amount: number, now: number, left: number | null = null): number {
    if (amount <= 0) return 0;
    if (left !== null && amount <= left && this.tryRecord(principal, resource, amount, now)) return amount;
    const { allocation, used } = this.load(principal, resource, now);
    const charged = Math.min(amount, Math.max(0, allocation - used));
    if (charged > 0 && !this.tryRecord(principal, resource, charged, now)) throw new Error(`rate charge of ${charged} did not fit after expiry`);
    return charged;
  }

  /**
   * Gives back `amount` of usage recorded at `at` (a reservation that used less than it held). Usage that
   * has already left the window is gone, and nothing is given back for it.
   */
  refund(principal: string, resource: RateResource, amount: number, at: number): number {
    if (amount <= 0) return 0;
    const row = this.store.one<{ amount: number }>('SELECT amount FROM rate_log WHERE principal = ? AND resource = ? AND at = ?', principal, resource, at);
    if (!row) return 0;
    const back = Math.min(amount, row.amount);
    if (back === row.amount) this.store.run('DELETE FROM rate_log WHERE principal = ? AND resource = ? AND at = ?', principal, resource, at);
    else this.store.run('UPDATE rate_log SET amount = amount - ? WHERE principal = ? AND resource = ? AND at = ?', back, principal, resource, at);
    return back;
  }

  /** Milliseconds until `amount` fits, or undefined if it never can under the current allocation. */
  retryAfter(principal: string, resource: RateResource, amount: number, allocation: number, used: number, now: number): number | undefined {
    if (amount > allocation) return undefined;
    let free = allocation - used;
    const rows = this.store.all<{ at: number; amount: number }>(
      'SELECT at, amount FROM rate_log WHERE principal = ? AND resource = ? ORDER BY at',
      principal,
      resource,
    );
    for (const r of rows) {
      free += r.amount;
      if (free >= amount) return Math.max(1, r.at + this.windowMs - now);
    }
    return undefined;
  }

  /**
   * The RATE_LIMITED error for needing `amount` more, with when it would fit. `pending` is usage this
   * command has made but not yet recorded (its nested calls), so the message counts it.
   */
  limitedError(principal: string, resource: RateResource, amount: number, now: number, pending = 0): KernelError {
    const { allocation, used } = this.load(principal, resource, now);
    return this.limited(principal, resource, amount, allocation, Math.min(allocation, used + pending), now);
  }

  private limited(principal: string, resource: RateResource, amount: number, allocation: number, used: number, now: number): KernelError {
    const retry = this.retryAfter(principal, resource, amount, allocation, used, now);
    const remaining = Math.max(0, allocation - used);
    const details = { principal, resource, needed: amount, allocation, used, remaining, window_ms: this.windowMs };
    if (retry === undefined) {
      return new KernelError(
        'RATE_LIMITED',
        `${principal} needs ${amount} ${resource} but its whole allocation is ${allocation} per ${this.windowMs} ms. Obtain more ${resource} allocation from another principal (rights_transfer).`,
        details,
        { retriable: false },
      );
    }
    return new KernelError(
      'RATE_LIMITED',
      `${principal} has used ${used} of its ${allocation} ${resource} allocation in the last ${this.windowMs} ms. Retry in ${retry} ms, or obtain more allocation (rights_transfer).`,
      details,
      { retryAfterMs: retry },
    );
  }

  private load(principal: string, resource: RateResource, now: number): { allocation: number; used: number } {
    const row = this.store.one<{ allocation: number; used: number | null; oldest_at: number | null }>(
      `SELECT COALESCE((SELECT balance FROM accounts WHERE principal = ?1 AND asset = ?2), 0) AS allocation,
              u.used AS used, u.oldest_at AS oldest_at
       FROM (SELECT 1) LEFT JOIN rate_usage u ON u.principal = ?1 AND u.resource = ?2`,
      principal,
      resource,
    )!;
    const cutoff = now - this.windowMs;
    if (row.used === null) return { allocation: row.allocation, used: 0 };
    if (row.oldest_at === null || row.oldest_at > cutoff) return { allocation: row.allocation, used: row.used };
    return { allocation: row.allocation, used: this.expire(principal, resource, cutoff) };
  }

  private expire(principal: string, resource: RateResource, cutoff: number): number {
    // The delete trigger takes the expired amounts off the running total.
    this.store.run('DELETE FROM rate_log WHERE principal = ? AND resource = ? AND at <= ?', principal, resource, cutoff);
    return this.store.one<{ used: number }>(
      `UPDATE rate_usage SET oldest_at = (SELECT MIN(at) FROM rate_log WHERE principal = ?1 AND resource = ?2)
       WHERE principal = ?1 AND resource = ?2 RETURNING used`,
      principal,
      resource,
    )!.used;
  }

  /** One statement: the guard trigger refuses (and we return false) if the total would pass the allocation. */
  private tryRecord(principal: string, resource: RateResource, amount: number, now: number): boolean {
    try {
      this.store.run(
        `INSERT INTO rate_log (principal, resource, at, amount) VALUES (?, ?, ?, ?)
         ON CONFLICT (principal, resource, at) DO UPDATE SET amount = amount + excluded.amount`,
        principal,
        resource,
        now,
        amount,
      );
      return true;
    } catch (err) {
      if ((err as Error).message?.includes('RATE_EXCEEDED')) return false;
      throw err;
    }
  }
}
