import { describe, expect, it } from 'vitest';
import { stateOf, useWorld, type TestWorld } from '../helpers/world.ts';

const balance = (t: TestWorld) => t.call('alice', 'genesis_ledger', 'balance', {});
const calls = (t: TestWorld, p = 'alice') => t.peek('genesis_rights', 'quotas', { principal: p }).rates.calls;

describe('rate windows', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { principal_defaults: { calls: 5 }, rates: { window_ms: 10_000 } } });

  it('consumes within the allocation, then fails with RATE_LIMITED and retry_after_ms', () => {
    const t = w();
    for (let i = 0; i < 5; i++) {
      expect(balance(t).ok).toBe(true);
      t.clock.advance(1_000);
    }
    const r = balance(t);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('RATE_LIMITED');
    expect(r.error.retriable).toBe(true);
    // The first call (at t=0) leaves the window at t=10,000; we are at t=5,000.
    expect(r.error.retry_after_ms).toBe(5_000);
    expect(r.error.details).toMatchObject({ resource: 'calls', allocation: 5, used: 5, remaining: 0, window_ms: 10_000 });
    const ev = t.peek('genesis_event_log', 'read', { types: ['rate_limited'] }).events;
    expect(ev[0]).toMatchObject({ principal: 'alice', payload: { resource: 'calls', retry_after_ms: 5_000 } });
  });

  it('records expire exactly when they leave the window (no burst, no debt)', () => {
    const t = w();
    for (let i = 0; i < 5; i++) expect(balance(t).ok).toBe(true);
    expect(balance(t).ok).toBe(false);
    t.clock.advance(9_999);
    expect(balance(t).ok).toBe(false);
    t.clock.advance(1);
    for (let i = 0; i < 5; i++) expect(balance(t).ok).toBe(true);
    expect(balance(t).ok).toBe(false);
  });

  it('a rolling window frees capacity entry by entry', () => {
    const t = w();
    for (let i = 0; i < 5; i++) {
      balance(t);
      t.clock.advance(2_000);
    }
    // now t=10,000: the first entry (t=0) has just left the window.
    expect(calls(t)).toMatchObject({ used: 4 + 0, remaining: 1 });
  });

  it('a refused call records nothing and changes nothing', () => {
    const t = w();
    for (let i = 0; i < 5; i++) balance(t);
    const before = stateOf(t.world);
    const used = calls(t).used;
    expect(t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1 }).ok).toBe(false);
    expect(calls(t).used).toBe(used);
    expect(stateOf(t.world)).toBe(before);
  });

  it('windows are per principal', () => {
    const t = w();
    for (let i = 0; i < 5; i++) balance(t);
    expect(balance(t).ok).toBe(false);
    expect(t.call('bob', 'genesis_ledger', 'balance', {}).ok).toBe(true);
  });

  it('allocations are rights: transferring takes effect at once in both windows', () => {
    const t = w();
    t.ok('bob', 'genesis_rights', 'transfer', { to: 'alice', resource: 'calls', amount: 3 });
    expect(calls(t, 'alice').allocation).toBe(8);
    expect(calls(t, 'bob').allocation).toBe(2);
    for (let i = 0; i < 8; i++) expect(balance(t).ok).toBe(true);
    expect(balance(t).ok).toBe(false);
  });

  it('usage already spent cannot be transferred', () => {
    const t = w();
    for (let i = 0; i < 3; i++) balance(t);
    // alice has used 3 of 5; the transfer itself is the 4th call: 1 free to give.
    const before = stateOf(t.world);
    const e = t.fail('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'calls', amount: 2 }, 'INSUFFICIENT_FUNDS');
    expect(e.details).toMatchObject({ held: 5, in_use: 4, transferable: 1 });
    expect(stateOf(t.world)).toBe(before);
    // The refused attempt still counted as a call: 4 used, and this call makes 5, so nothing is free.
    const none = t.fail('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'calls', amount: 1 }, 'INSUFFICIENT_FUNDS');
    expect(none.details).toMatchObject({ in_use: 5, transferable: 0 });
    t.clock.advance(10_000);
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'calls', amount: 4 });
    expect(calls(t, 'bob').allocation).toBe(9);
  });

  it('an allocation smaller than one call is not retriable and says how to get more', () => {
    const t = w();
    t.ok('bob', 'genesis_rights', 'transfer', { to: 'alice', resource: 'calls', amount: 4 });
    expect(calls(t, 'bob')).toMatchObject({ allocation: 1, used: 1, remaining: 0 });
    const r = t.call('bob', 'genesis_ledger', 'balance', {});
    expect(!r.ok && r.error.code).toBe('RATE_LIMITED');
    if (r.ok) return;
    expect(r.error.retry_after_ms).toBe(10_000);
    // A principal whose allocation can never fit one call gets a non-retriable error saying how to get more.
    expect(t.world.createPrincipal('zed', { calls: 0 }).ok).toBe(true);
    const never = t.call('zed', 'genesis_ledger', 'balance', {});
    expect(!never.ok && never.error).toMatchObject({ code: 'RATE_LIMITED', retriable: false });
    if (!never.ok) expect(never.error.message).toMatch(/rights_transfer/);
  });

  it('refuses bad rights transfers with clear errors', () => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_rights', 'transfer', { to: 'alice', resource: 'calls', amount: 1 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'scrip', amount: 1 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'calls', amount: 0 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_rights', 'transfer', { to: 'nobody', resource: 'calls', amount: 1 }, 'NOT_FOUND');
    expect(stateOf(t.world)).toBe(before);
  });

  it('disk in use cannot be transferred; llm budget can', () => {
    const t = w();
    // A 250 KB write weighs 16 calls (limits.call_bytes); this world's windows are small.
    t.world.grant('alice', 'calls', 100);
    for (const id of ['b1', 'b2', 'b3']) t.ok('alice', 'genesis_store', 'write', { id, content: 'x'.repeat(250_000) });
    t.clock.advance(10_000);
    // Each artifact takes its content, its two-byte id and the row's overhead of 256 bytes; so does alice's own.
    const inUse = 3 * (250_000 + 2 + 256) + 5 + 256;
    const e = t.fail('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'disk_bytes', amount: 1_000_000 - inUse + 1 }, 'INSUFFICIENT_FUNDS');
    expect(e.details).toMatchObject({ held: 1_000_000, in_use: inUse, transferable: 1_000_000 - inUse });
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'disk_bytes', amount: 1_000_000 - inUse });
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'llm_budget_micro_usd', amount: 250_000 });
    const q = t.peek('genesis_rights', 'quotas', { principal: 'bob' });
    expect(q.disk.quota).toBe(2_000_000 - inUse);
    expect(q.llm_budget_micro_usd).toBe(1_250_000);
    t.fail('alice', 'genesis_store', 'write', { id: 'b4', content: 'x' }, 'QUOTA_EXCEEDED');
  });
});

describe('charging burned usage against a window read earlier in the command', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { principal_defaults: { cpu_ms: 50 }, rates: { window_ms: 10_000 } } });

  it('records the usage in one step when it fits what was left', () => {
    const t = w();
    const rates = t.world.kernel.services.rates;
    const now = t.world.clock.now();
    t.world.store.writeTx(() => expect(rates.charge('alice', 'cpu_ms', 20, now, 50)).toBe(20));
    expect(rates.status('alice', 'cpu_ms', now)).toMatchObject({ used: 20, remaining: 30 });
  });

  it('a stale remainder (the allocation moved away since) is caught by the guard and capped, never debt', () => {
    const t = w();
    const rates = t.world.kernel.services.rates;
    const now = t.world.clock.now();
    // alice read 50 left, then gave 40 of her allocation away: only 10 can still be charged.
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'bob', resource: 'cpu_ms', amount: 40 });
    t.world.store.writeTx(() => expect(rates.charge('alice', 'cpu_ms', 30, now, 50)).toBe(10));
    expect(rates.status('alice', 'cpu_ms', now)).toMatchObject({ allocation: 10, used: 10, remaining: 0 });
    t.world.store.writeTx(() => expect(rates.charge('alice', 'cpu_ms', 5, now, 50)).toBe(0));
    expect(rates.status('alice', 'cpu_ms', now).used).toBe(10);
  });
});
