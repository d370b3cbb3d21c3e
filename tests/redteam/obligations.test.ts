/**
 * Red team: deletion obligations (genesis/store/delete.ts, obligations.ts; genesis_records addOpen).
 */
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';
import { serviceCall } from '../helpers/services.ts';

describe('red team: making someone undeletable', () => {
  const w = useWorld({ principals: ['alice', 'eve', 'mallory', 'victim'], config: { principal_defaults: { scrip: 100 } } });

  it('a defaulted debt claim handed to a principal that never agreed keeps it undeletable for good', () => {
    const t = w();
    // eve borrows 1 scrip from mallory (both eve's), and never pays.
    t.ok('eve', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 1 });
    const d = serviceCall(t, 'eve', 'genesis_debt', 'issue', { creditor: 'mallory', principal: 1, interest_bps_per_day: 0, due_in_s: 1 });
    serviceCall(t, 'mallory', 'genesis_debt', 'accept', { debt_id: d.id }, 1);
    t.ok('eve', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 0 });
    // mallory hands the claim to the victim: no consent is asked.
    serviceCall(t, 'mallory', 'genesis_debt', 'transfer_creditor', { debt_id: d.id, to: 'victim' });
    // mallory walks away (gives everything to eve and deletes herself).
    t.ok('mallory', 'genesis_ledger', 'transfer', { to: 'eve', amount: 99 });
    t.ok('mallory', 'genesis_rights', 'transfer', { to: 'eve', resource: 'llm_budget_micro_usd', amount: 1_000_000 });
    t.ok('mallory', 'genesis_store', 'delete', { id: 'mallory' });
    // The victim tries what the service offers: collecting fails to default; nothing closes a defaulted debt.
    t.clock.advance(2_000);
    expect(serviceCall(t, 'victim', 'genesis_debt', 'collect', { debt_id: d.id }).outcome).toBe('defaulted');
    expect(t.call('victim', 'genesis_store', 'invoke', { id: 'genesis_debt', method: 'cancel', args: { debt_id: d.id } })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // The victim empties its account to leave the world; it may pass the claim on only by imposing it on someone else.
    t.ok('victim', 'genesis_ledger', 'transfer', { to: 'alice', amount: 100 });
    t.ok('victim', 'genesis_rights', 'transfer', { to: 'alice', resource: 'llm_budget_micro_usd', amount: 1_000_000 });
    const r = t.call('victim', 'genesis_store', 'delete', { id: 'victim' });
    if (!r.ok) console.log(r.error.message);
    // Safe: a principal is never bound by an obligation it did not accept (transfer_creditor needs the new creditor's consent).
    expect(r.ok).toBe(true);
  });
});
