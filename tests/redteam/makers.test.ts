/**
 * Red team: per-agent caps and "not through your own wallets" rules count by maker
 * (Artifacts.makerOf), which follows created_by at most 16 hops.
 */
import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld, type TestWorld } from '../helpers/world.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';

const WALLET = `export function spawn(a){ return invoke("genesis_store", "write", { id: a.id, has_standing: true, can_execute: true, code: a.code, interface: a.iface }).id }
export function act(a){ return invoke(a.target, a.method, a.args) }`;

/** invoke, waiting out the caller's calls window in virtual time when it is spent. */
function patient(t: TestWorld, caller: string, target: string, method: string, args: object): InvokeResult {
  for (;;) {
    const r = t.call(caller, target, method, args);
    if (r.ok || r.error.code !== 'RATE_LIMITED') return r;
    t.clock.advance(r.error.retry_after_ms ?? 60_000);
  }
}

describe('red team: a chain of wallets longer than makerOf looks', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it('eve passes the lock service\'s cap of 100 names per agent through her 17th-generation wallet', { timeout: 120_000 }, () => {
    const t = w();
    const wallet = codeArtifact('w0', WALLET, [{ name: 'spawn' }, { name: 'act' }], { has_standing: true });
    t.ok('eve', 'genesis_store', 'write', wallet);
    // Each wallet writes the next; eve gives each a little disk for its child. About 20 KB of her quota in all.
    for (let i = 0; i < 17; i++) {
      t.ok('eve', 'genesis_rights', 'transfer', { to: `w${i}`, resource: 'disk_bytes', amount: 2_000 });
      expect(patient(t, 'eve', `w${i}`, 'spawn', { id: `w${i + 1}`, code: WALLET, iface: wallet.interface }).ok).toBe(true);
    }
    const maker = t.peek('genesis_ledger', 'balance', { principal: 'w17' }).maker;
    // eve uses up her own cap of lock names.
    for (let i = 0; i < 100; i++) expect(patient(t, 'eve', 'genesis_store', 'invoke', { id: 'genesis_lock', method: 'acquire', args: { name: `e${i}`, ttl_s: 1 } }).ok).toBe(true);
    const capped = patient(t, 'eve', 'genesis_store', 'invoke', { id: 'genesis_lock', method: 'acquire', args: { name: 'e100', ttl_s: 1 } });
    expect(capped).toMatchObject({ ok: false, error: { code: 'QUOTA_EXCEEDED' } });
    // Her deep wallet answers to someone else, so it starts a fresh count.
    const more = patient(t, 'eve', 'w17', 'act', { target: 'genesis_lock', method: 'acquire', args: { name: 'e100', ttl_s: 1 } });
    console.log(`w17's maker: ${maker}; its acquire: ${more.ok ? 'granted' : more.error.code}`);
    // Safe: everything eve's wallets do counts as eve's.
    expect(maker).toBe('eve');
    expect(more.ok).toBe(false);
  });
});
