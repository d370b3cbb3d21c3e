import { describe, expect, it } from 'vitest';
import { stateOf, useWorld } from '../helpers/world.ts';

import type { TestWorld } from '../helpers/world.ts';

const scrip = (t: TestWorld, p: string): number => t.ok(p, 'genesis_ledger', 'balance', {}).balances.scrip;

describe('ledger', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'] });

  it('starts principals with their journalled grants', () => {
    const t = w();
    const b = t.ok('alice', 'genesis_ledger', 'balance', {});
    expect(b.balances).toEqual({ scrip: 100, llm_budget_micro_usd: 1_000_000, disk_bytes: 1_000_000, calls: 600, cpu_ms: 20_000, llm_tokens: 200_000 });
    const h = t.ok('alice', 'genesis_ledger', 'history', { asset: 'scrip' });
    expect(h.entries).toHaveLength(1);
    expect(h.entries[0]).toMatchObject({ kind: 'issue', from: 'genesis_mint', to: 'alice', amount: 100, cause: 'grant' });
  });

  it('AC-1: A(100) pays B 30: 70 and 130, journalled with cause and command id', () => {
    const t = w();
    const r = t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 30, memo: 'rent' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({ from: 'alice', to: 'bob', amount: 30, balance_after: 70 });
    expect(scrip(t, 'alice')).toBe(70);
    expect(scrip(t, 'bob')).toBe(130);
    const entry = t.ok('bob', 'genesis_ledger', 'history', { asset: 'scrip' }).entries.at(-1);
    expect(entry).toMatchObject({ kind: 'transfer', from: 'alice', to: 'bob', amount: 30, cause: 'transfer', command_id: r.command_id });
    const ev = t.ok('bob', 'genesis_event_log', 'read', { types: ['transfer'] }).events;
    expect(ev.at(-1).payload).toEqual({ from: 'alice', to: 'bob', asset: 'scrip', amount: 30, memo: 'rent' });
  });

  it('AC-2/AC-3: overdrawing fails with INSUFFICIENT_FUNDS and moves nothing', () => {
    const t = w();
    const before = stateOf(t.world);
    const e = t.fail('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 150 }, 'INSUFFICIENT_FUNDS');
    expect(e.details).toMatchObject({ need: 150, have: 100 });
    expect(stateOf(t.world)).toBe(before);
  });

  it.each([
    ['negative', -5],
    ['zero', 0],
    ['fractional', 1.5],
    ['beyond 2^53', 2 ** 53 + 2],
    ['a numeric string', '10'],
    ['NaN-like null', null],
  ])('refuses a %s amount with INVALID_ARGS and changes nothing', (_label, amount) => {
    const t = w();
    const before = stateOf(t.world);
    const e = t.fail('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount }, 'INVALID_ARGS');
    expect(e.message).toMatch(/amount/);
    expect(stateOf(t.world)).toBe(before);
  });

  it('refuses a transfer to yourself, to a missing principal, to a non-principal and to a deleted one', () => {
    const t = w();
    t.ok('carol', 'genesis_store', 'write', { id: 'note', content: 'hi' });
    const before = stateOf(t.world);
    expect(t.fail('alice', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1 }, 'INVALID_ARGS').message).toMatch(/yourself/);
    expect(t.fail('alice', 'genesis_ledger', 'transfer', { to: 'nobody', amount: 1 }, 'NOT_FOUND').message).toMatch(/nobody/);
    expect(t.fail('alice', 'genesis_ledger', 'transfer', { to: 'note', amount: 1 }, 'INVALID_ARGS').message).toMatch(/standing/);
    expect(stateOf(t.world)).toBe(before);
  });

  it('has no way to name the payer: a forged `from` is rejected', () => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_ledger', 'transfer', { from: 'alice', to: 'bob', amount: 10 }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });

  it('AC-4 / 1,000 transfers that together overdraw: exactly the affordable ones succeed', () => {
    const t = w();
    // alice has 100: 1,000 attempts of 1 scrip to bob and carol, interleaved with refills of 0.
    let okCount = 0;
    for (let i = 0; i < 1000; i++) {
      const r = t.call('alice', 'genesis_ledger', 'transfer', { to: i % 2 ? 'bob' : 'carol', amount: 1 });
      if (r.ok) okCount++;
      else expect(r.error.code === 'INSUFFICIENT_FUNDS' || r.error.code === 'RATE_LIMITED').toBe(true);
      if (i % 500 === 499) t.clock.advance(60_000);
    }
    expect(okCount).toBe(100);
    expect(scrip(t, 'alice')).toBe(0);
    expect(scrip(t, 'bob') + scrip(t, 'carol')).toBe(300);
  });

  it('pages history with a cursor', () => {
    const t = w();
    for (let i = 1; i <= 5; i++) t.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: i });
    const p1 = t.ok('alice', 'genesis_ledger', 'history', { asset: 'scrip', limit: 3 });
    expect(p1.entries.map((e: { amount: number }) => e.amount)).toEqual([100, 1, 2]);
    expect(p1.has_more).toBe(true);
    const p2 = t.ok('alice', 'genesis_ledger', 'history', { asset: 'scrip', limit: 3, cursor: p1.next_cursor });
    // Journal entries (amounts, causes) are private to their principal; balances stay public.
    t.fail('bob', 'genesis_ledger', 'history', { principal: 'alice' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_ledger', 'balance', { principal: 'genesis_mint' }, 'ACCESS_DENIED');
    expect(p2.entries.map((e: { amount: number }) => e.amount)).toEqual([3, 4, 5]);
    expect(p2.has_more).toBe(false);
  });

  it('balance of an unknown principal is NOT_FOUND', () => {
    const t = w();
    t.fail('alice', 'genesis_ledger', 'balance', { principal: 'ghost' }, 'NOT_FOUND');
  });
});
