import { KernelError } from './errors.ts';
import type { Store } from './db/store.ts';

export interface Allowance {
  approver: string;
  spender: string;
  amount: number;
  expires_at: number | null;
}

/**
 * Allowances: an approver lets a spender (a principal or an artifact) draw up to `amount` scrip from
 * the approver's account. Drawing is the only way anything but its holder moves scrip out of an
 * account, and it can never exceed what is left of the allowance, nor happen after expiry or revocation.
 */
export class Allowances {
  constructor(private readonly store: Store) {}

  /** Sets (replaces) an allowance; an amount of 0 revokes it. */
  set(approver: string, spender: string, amount: number, expiresAt: number | null, now: number): void {
    if (amount === 0) {
      this.store.run('DELETE FROM allowances WHERE approver = ? AND spender = ?', approver, spender);
      return;
    }
    this.store.run(
      `INSERT INTO allowances (approver, spender, amount, expires_at, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (approver, spender) DO UPDATE SET amount = excluded.amount, expires_at = excluded.expires_at, created_at = excluded.created_at`,
      approver,
      spender,
      amount,
      expiresAt,
      now,
    );
  }

  /** Takes `amount` off the allowance, or throws ACCESS_DENIED saying why not. */
  draw(approver: string, spender: string, amount: number, now: number): void {
    const a = this.store.one<{ amount: number; expires_at: number | null }>('SELECT amount, expires_at FROM allowances WHERE approver = ? AND spender = ?', approver, spender);
    if (!a) {
      throw new KernelError('ACCESS_DENIED', `${approver} has not approved ${spender} to draw scrip. The approver must call ledger_approve first.`, { approver, spender });
    }
    if (a.expires_at !== null && a.expires_at <= now) {
      throw new KernelError('ACCESS_DENIED', `The allowance from ${approver} to ${spender} expired at ${new Date(a.expires_at).toISOString()}. Ask for a new approval.`, {
        approver,
        spender,
        expired_at: a.expires_at,
      });
    }
    if (a.amount < amount) {
      throw new KernelError('ACCESS_DENIED', `${approver} allows ${spender} to draw ${a.amount} more scrip, not ${amount}. Draw less or ask for a larger approval.`, {
        approver,
        spender,
        allowance: a.amount,
        requested: amount,
      });
    }
    if (a.amount === amount) this.store.run('DELETE FROM allowances WHERE approver = ? AND spender = ?', approver, spender);
    else this.store.run('UPDATE allowances SET amount = amount - ? WHERE approver = ? AND spender = ?', amount, approver, spender);
  }

  /** Drops every allowance granted by or to `id` (it was deleted: nothing can be drawn from or by it again). */
  dropAll(id: string): number {
    return this.store.run('DELETE FROM allowances WHERE approver = ?1 OR spender = ?1', id).changes;
  }

  /** Live allowances the principal granted, and those granted to it. Expired ones are not shown. */
  of(principal: string, now: number): { granted: Allowance[]; received: Allowance[] } {
    const live = 'AND (expires_at IS NULL OR expires_at > ?) ORDER BY approver, spender';
    return {
      granted: this.store.all<Allowance>(`SELECT approver, spender, amount, expires_at FROM allowances WHERE approver = ? ${live}`, principal, now),
      received: this.store.all<Allowance>(`SELECT approver, spender, amount, expires_at FROM allowances WHERE spender = ? ${live}`, principal, now),
    };
  }
}
