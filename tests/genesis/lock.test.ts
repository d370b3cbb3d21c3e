import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld } from '../helpers/world.ts';
import { serviceCall, serviceFail } from '../helpers/services.ts';

describe('genesis_lock', () => {
  const w = useWorld({ principals: ['alice', 'bob'] });

  it('one holder at a time until the lease lapses; renew extends it and release frees it', () => {
    const t = w();
    const lease = serviceCall(t, 'alice', 'genesis_lock', 'acquire', { name: 'build-queue', ttl_s: 30 });
    expect(lease).toMatchObject({ name: 'build-queue', holder: 'alice', expires_at: t.clock.now() + 30_000 });
    expect(serviceFail(t, 'bob', 'genesis_lock', 'acquire', { name: 'build-queue', ttl_s: 30 }, 'CONFLICT').message).toMatch(/held by alice until/);
    t.clock.advance(20_000);
    serviceCall(t, 'alice', 'genesis_lock', 'renew', { name: 'build-queue', lease_id: lease.lease_id, ttl_s: 30 });
    t.clock.advance(20_000);
    serviceFail(t, 'bob', 'genesis_lock', 'acquire', { name: 'build-queue', ttl_s: 30 }, 'CONFLICT');
    t.clock.advance(10_001);
    // Lapsed: bob takes it, and alice's old lease is worthless.
    const bobs = serviceCall(t, 'bob', 'genesis_lock', 'acquire', { name: 'build-queue', ttl_s: 5 });
    serviceFail(t, 'alice', 'genesis_lock', 'renew', { name: 'build-queue', lease_id: lease.lease_id, ttl_s: 30 }, 'CONFLICT');
    serviceFail(t, 'alice', 'genesis_lock', 'release', { name: 'build-queue', lease_id: bobs.lease_id }, 'CONFLICT');
    expect(serviceCall(t, 'alice', 'genesis_lock', 'check', { name: 'build-queue' })).toEqual({ name: 'build-queue', held: true, holder: 'bob', expires_at: bobs.expires_at });
    serviceCall(t, 'bob', 'genesis_lock', 'release', { name: 'build-queue', lease_id: bobs.lease_id });
    expect(serviceCall(t, 'alice', 'genesis_lock', 'check', { name: 'build-queue' })).toEqual({ name: 'build-queue', held: false });
    serviceCall(t, 'alice', 'genesis_lock', 'acquire', { name: 'build-queue', ttl_s: 5 });
  });

  it('bad names and squatted ids fail cleanly and change nothing', () => {
    const t = w();
    const before = stateOf(t.world);
    serviceFail(t, 'alice', 'genesis_lock', 'acquire', { name: 'Bad Name', ttl_s: 5 }, 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_lock', 'acquire', { name: 'ok', ttl_s: 0 }, 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_lock', 'acquire', { name: 'ok', ttl_s: 86_401 }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
    // Nobody can take a lock's id first: the records live in the service's own namespace.
    t.fail('bob', 'genesis_store', 'write', { id: 'genesis_lock.lock_squat', kind: 'data', content: '{}' }, 'ACCESS_DENIED');
    t.ok('bob', 'genesis_store', 'write', { id: 'lock_squat', kind: 'data', content: '{}' });
    expect(serviceCall(t, 'alice', 'genesis_lock', 'acquire', { name: 'squat', ttl_s: 5 })).toMatchObject({ name: 'squat', holder: 'alice' });
  });

  it('caps the lock names one agent brings into being, wallets included; existing names stay free to use', () => {
    const t = w();
    // Every nested call counts against the caller's calls window; this test makes thousands.
    t.world.grant('alice', 'calls', 100_000);
    const taker = 'export function go(a){ for (const n of a.names) invoke("genesis_lock", "acquire", { name: n, ttl_s: 1 }); return a.names.length }';
    t.ok('alice', 'genesis_store', 'write', codeArtifact('aw', taker, [{ name: 'go' }], { has_standing: true }));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('aw2', taker, [{ name: 'go' }], { has_standing: true }));
    // 100 names in batches small enough for one command's CPU and nested-call budgets.
    for (let b = 0; b < 10; b++) t.ok('alice', b % 2 ? 'aw2' : 'aw', 'go', { names: Array.from({ length: 10 }, (_, i) => `n${b * 10 + i}`) });
    const before = stateOf(t.world);
    serviceFail(t, 'alice', 'genesis_lock', 'acquire', { name: 'one-more', ttl_s: 5 }, 'QUOTA_EXCEEDED');
    expect(stateOf(t.world)).toBe(before);
    t.clock.advance(2_000);
    serviceCall(t, 'alice', 'genesis_lock', 'acquire', { name: 'n0', ttl_s: 5 });
    // Another agent's count is its own.
    serviceCall(t, 'bob', 'genesis_lock', 'acquire', { name: 'bobs', ttl_s: 5 });
  });
});
