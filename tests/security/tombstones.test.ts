import { describe, expect, it } from 'vitest';
import { T0, codeArtifact, stateOf, useWorld } from '../helpers/world.ts';
import { scripOf, serviceCall } from '../helpers/services.ts';

const PERIOD = 60_000;

describe('attack 13: money into a tombstone', () => {
  const w = useWorld({
    principals: ['alice', 'bob', 'eve'],
    config: { principal_defaults: { scrip: 1_000 }, mint: { period_ms: PERIOD, first_at: T0 + PERIOD, slots: 1 } },
  });

  /** eve gives away everything she could, so that only her open obligations stand in the way of deleting her. */
  const emptyEve = (t: ReturnType<typeof w>) => {
    const s = scripOf(t, 'eve');
    if (s > 0) t.ok('eve', 'genesis_ledger', 'transfer', { to: 'alice', amount: s });
    const llm = t.peek('genesis_ledger', 'balance', { principal: 'eve' }).balances.llm_budget_micro_usd;
    if (llm > 0) t.ok('eve', 'genesis_rights', 'transfer', { to: 'alice', resource: 'llm_budget_micro_usd', amount: llm });
  };

  it('a bidder with a live bid cannot delete itself; once the bid has settled it can, and holds nothing after', () => {
    const t = w();
    t.ok('eve', 'genesis_store', 'write', codeArtifact('bidme', 'export function f(){ return 1 }', [{ name: 'f' }]));
    t.ok('eve', 'genesis_mint', 'bid', { artifact_id: 'bidme', amount: 40 });
    // The artifact goes, leaving the bid void; eve empties her account and tries to go too.
    t.ok('eve', 'genesis_store', 'delete', { id: 'bidme' });
    emptyEve(t);
    const before = stateOf(t.world);
    const e = t.fail('eve', 'genesis_store', 'delete', { id: 'eve' }, 'CONFLICT');
    expect(e.message).toMatch(/live mint bid.*mint_cancel/);
    expect(stateOf(t.world)).toBe(before);
    // The refund of the void bid at resolution lands in a live account.
    t.clock.set(T0 + PERIOD);
    t.world.settle();
    expect(scripOf(t, 'eve')).toBe(64); // the whole deposit held for a bid of 40
    emptyEve(t);
    t.ok('eve', 'genesis_store', 'delete', { id: 'eve' });
    expect(t.peek('genesis_ledger', 'balance', { principal: 'alice' }).balances.scrip).toBeGreaterThan(1_000);
  });

  it('the ledger refuses anything sent to a deleted principal, whatever sends it', () => {
    const t = w();
    emptyEve(t);
    t.ok('eve', 'genesis_store', 'delete', { id: 'eve' });
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_ledger', 'transfer', { to: 'eve', amount: 1 }, 'DELETED');
    // Code paying out through the ledger meets the same wall (the database refuses the credit).
    t.ok('alice', 'genesis_store', 'write', codeArtifact('payer', 'export function pay(){ return invoke("genesis_ledger", "transfer", { to: "eve", amount: 1 }) }', [{ name: 'pay' }], { has_standing: true }));
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'payer', amount: 5 });
    const mid = stateOf(t.world);
    t.fail('alice', 'payer', 'pay', {}, 'DELETED');
    expect(stateOf(t.world)).toBe(mid);
    expect(before).not.toBe(mid);
  });

  it('a debtor and a poster are held until their debts and tasks are settled; approvals go with the deleted account', () => {
    const t = w();
    t.ok('eve', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 500 });
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'eve', amount: 50 });
    const d = serviceCall(t, 'eve', 'genesis_debt', 'issue', { creditor: 'bob', principal: 100, interest_bps_per_day: 0, due_in_s: 600 });
    const task = serviceCall(t, 'eve', 'genesis_taskboard', 'post', { title: 'write a haiku', expires_in_s: 600 }, 10);
    serviceCall(t, 'bob', 'genesis_taskboard', 'claim', { task_id: task.id });
    expect(serviceCall(t, 'alice', 'genesis_debt', 'obligations', { principal: 'eve' })).toEqual({ principal: 'eve', open: 1 });
    expect(serviceCall(t, 'alice', 'genesis_taskboard', 'obligations', { principal: 'eve' })).toEqual({ principal: 'eve', open: 1 });
    // Being owed, or holding a claim on a task, holds nobody: anyone could be made a creditor or a claimant.
    expect(serviceCall(t, 'alice', 'genesis_debt', 'obligations', { principal: 'bob' })).toEqual({ principal: 'bob', open: 0 });
    expect(serviceCall(t, 'alice', 'genesis_taskboard', 'obligations', { principal: 'bob' })).toEqual({ principal: 'bob', open: 0 });
    emptyEve(t);
    const e = t.fail('eve', 'genesis_store', 'delete', { id: 'eve' }, 'CONFLICT');
    expect(e.message).toMatch(/genesis_debt/);
    expect(e.message).toMatch(/genesis_taskboard/);
    // The creditor calls the debt off; eve turns the claimant down and cancels: nothing holds eve now.
    serviceCall(t, 'bob', 'genesis_debt', 'cancel', { debt_id: d.id });
    serviceCall(t, 'eve', 'genesis_taskboard', 'reject', { task_id: task.id, reason: 'leaving' });
    serviceCall(t, 'eve', 'genesis_taskboard', 'cancel', { task_id: task.id });
    emptyEve(t);
    t.ok('eve', 'genesis_store', 'delete', { id: 'eve' });
    const bal = t.peek('genesis_ledger', 'balance', { principal: 'alice' });
    expect(bal.allowances.granted).toEqual([]);
  });

  it('an artifact without an account cannot grant allowances', () => {
    const t = w();
    const code = 'export function approve(){ return invoke("genesis_ledger", "approve", { spender: "alice", amount: 10 }) }';
    t.ok('eve', 'genesis_store', 'write', codeArtifact('noacct', code, [{ name: 'approve' }]));
    const before = stateOf(t.world);
    expect(t.fail('eve', 'noacct', 'approve', {}, 'INVALID_ARGS').message).toMatch(/without standing/);
    expect(stateOf(t.world)).toBe(before);
    expect(t.world.store.all('SELECT * FROM allowances')).toEqual([]);
  });
});
