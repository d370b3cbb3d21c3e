import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';

const scrip = (t: TestWorld, p: string): number => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip;

describe('attached payments (pay)', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'] });

  it('moves pay to the artifact before its code runs, and the code sees ctx.paid', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('jar', 'export function tip(a, ctx){ return { paid: ctx.paid, balance: invoke("genesis_ledger", "balance", {}).balances.scrip } }', [{ name: 'tip' }], { has_standing: true }));
    const r = t.ok('bob', 'genesis_store', 'invoke', { id: 'jar', method: 'tip', pay: 7 });
    expect(r).toEqual({ paid: 7, balance: 7 });
    expect(scrip(t, 'bob')).toBe(93);
    expect(scrip(t, 'jar')).toBe(7);
  });

  it('is refunded with everything else if the call fails', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('jar', 'export function tip(){ throw new Error("no thanks") }', [{ name: 'tip' }], { has_standing: true }));
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_store', 'invoke', { id: 'jar', method: 'tip', pay: 7 }, 'EXECUTION_ERROR');
    expect(stateOf(t.world)).toBe(before);
  });

  it('artifacts with standing spend their own account from code, and can forward payments', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('relay', 'export function send(a, ctx){ return invoke("genesis_ledger", "transfer", { to: a.to, amount: ctx.paid }) }', [{ name: 'send', inputSchema: { type: 'object', properties: { to: { type: 'string' } } } }], { has_standing: true }));
    t.ok('bob', 'genesis_store', 'invoke', { id: 'relay', method: 'send', args: { to: 'carol' }, pay: 12 });
    expect(scrip(t, 'carol')).toBe(112);
    expect(scrip(t, 'relay')).toBe(0);
  });

  it('nested code attaches payment with invoke(id, method, args, { pay })', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('jar', 'export function tip(a, ctx){ return ctx.paid }', [{ name: 'tip' }], { has_standing: true }));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('patron', 'export function give(a, ctx){ return invoke("jar", "tip", {}, { pay: ctx.paid }) }', [{ name: 'give' }], { has_standing: true }));
    expect(t.ok('bob', 'genesis_store', 'invoke', { id: 'patron', method: 'give', pay: 4 })).toBe(4);
    expect(scrip(t, 'jar')).toBe(4);
    t.ok('alice', 'genesis_store', 'write', codeArtifact('bad', 'export function f(){ try { invoke("jar", "tip", {}, { pay: -1 }) } catch (e) { return e.code } }', [{ name: 'f' }]));
    expect(t.ok('bob', 'bad', 'f', {})).toBe('INVALID_ARGS');
  });

  it('refuses pay to an artifact without standing, beyond the caller\'s scrip, or negative', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('plain', 'export function f(){ return 1 }', [{ name: 'f' }]));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('jar', 'export function tip(){ return 1 }', [{ name: 'tip' }], { has_standing: true }));
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_store', 'invoke', { id: 'plain', method: 'f', pay: 1 }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_store', 'invoke', { id: 'jar', method: 'tip', pay: 101 }, 'INSUFFICIENT_FUNDS');
    t.fail('bob', 'genesis_store', 'invoke', { id: 'jar', method: 'tip', pay: -1 }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });
});

describe('allowances', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'] });

  it('lets a spender draw up to the allowance, visible in ledger_balance, and no further', () => {
    const t = w();
    expect(t.ok('alice', 'genesis_ledger', 'approve', { spender: 'bob', amount: 30 })).toEqual({ approver: 'alice', spender: 'bob', amount: 30 });
    expect(t.ok('carol', 'genesis_ledger', 'balance', { principal: 'alice' }).allowances.granted).toEqual([{ spender: 'bob', amount: 30 }]);
    expect(t.ok('bob', 'genesis_ledger', 'balance', {}).allowances.received).toEqual([{ approver: 'alice', amount: 30 }]);
    t.ok('bob', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'carol', amount: 20 });
    expect(scrip(t, 'alice')).toBe(80);
    expect(scrip(t, 'carol')).toBe(120);
    const before = stateOf(t.world);
    const e = t.fail('bob', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'bob', amount: 11 }, 'ACCESS_DENIED');
    expect(e.details).toMatchObject({ allowance: 10, requested: 11 });
    expect(stateOf(t.world)).toBe(before);
    t.ok('bob', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'bob', amount: 10 });
    t.fail('bob', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'bob', amount: 1 }, 'ACCESS_DENIED');
  });

  it('nothing draws without an approval, after revocation, or after expiry', () => {
    const t = w();
    t.fail('carol', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'carol', amount: 1 }, 'ACCESS_DENIED');
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'carol', amount: 50 });
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'carol', amount: 0 });
    t.fail('carol', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'carol', amount: 1 }, 'ACCESS_DENIED');
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'carol', amount: 50, expires_in_s: 10 });
    t.ok('carol', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'carol', amount: 5 });
    t.clock.advance(10_000);
    const e = t.fail('carol', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'carol', amount: 5 }, 'ACCESS_DENIED');
    expect(e.message).toMatch(/expired/);
    expect(scrip(t, 'alice')).toBe(95);
  });

  it('an artifact can be the spender, and only that artifact can draw: not its caller, not its owner', () => {
    const t = w();
    t.ok('carol', 'genesis_store', 'write', codeArtifact('collector', 'export function pull(a){ return invoke("genesis_ledger", "transfer_from", { principal: a.from_whom, to: "carol", amount: a.amount }) }', [{ name: 'pull', inputSchema: { type: 'object', properties: { from_whom: { type: 'string' }, amount: { type: 'integer' } } } }]));
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'collector', amount: 15 });
    t.ok('bob', 'collector', 'pull', { from_whom: 'alice', amount: 10 });
    expect(scrip(t, 'carol')).toBe(110);
    // The approval names the artifact; the artifact's owner and callers get nothing from it directly.
    t.fail('carol', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'carol', amount: 1 }, 'ACCESS_DENIED');
    // And the artifact cannot exceed it, nor pull from someone who never approved it.
    t.fail('bob', 'collector', 'pull', { from_whom: 'alice', amount: 6 }, 'ACCESS_DENIED');
    t.fail('bob', 'collector', 'pull', { from_whom: 'bob', amount: 1 }, 'ACCESS_DENIED');
  });

  it('refuses bad approvals', () => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_ledger', 'approve', { spender: 'alice', amount: 5 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_ledger', 'approve', { spender: 'ghost', amount: 5 }, 'NOT_FOUND');
    t.fail('alice', 'genesis_ledger', 'approve', { spender: 'bob', amount: -5 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_ledger', 'approve', { spender: 'bob', amount: 1.5 }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });
});
