/**
 * Red team: attack 6 again. The kill and the charge follow the guest's stopwatch, which stops while the
 * host serves the guest's calls (worker.ts rpc: pause/resume). A contract's view.* calls are served by
 * the host, are not invokes, and count against nothing. Each view.artifact of an artifact whose
 * interface is not in the host's cache (VersionCache: 2,000 entries, cleared when full) makes the host
 * load and parse up to 32 KB of JSON; tombstones keep their interface and cost no quota.
 */
import { describe, expect, it } from 'vitest';
import { useWorld, type TestWorld } from '../helpers/world.ts';

const rates = (t: TestWorld, p: string) => t.peek('genesis_rights', 'quotas', { principal: p }).rates;

/** invoke and expect success, waiting out the caller's calls window in virtual time. */
function patient(t: TestWorld, caller: string, target: string, method: string, args: object): void {
  for (;;) {
    const r = t.call(caller, target, method, args);
    if (r.ok) return;
    if (r.error.code !== 'RATE_LIMITED') throw new Error(r.error.message);
    t.clock.advance(r.error.retry_after_ms ?? 60_000);
  }
}


/**
 * eve's setup: 2,100 private tombstones with 32 KB interfaces (4,200 calls: 7 minutes of her window; no
 * quota kept), and a contract that looks at them round-robin, so every look misses the host's interface
 * cache. Handed to alice, the contract may see none of them: each answer is a 4-byte null, so the
 * guest's own work per look stays tiny. `bait` is governed by it.
 */
function plant(t: TestWorld): void {
    const pad = 'z'.repeat(680);
    const iface = Array.from({ length: 32 }, (_, i) => ({ name: `m${i}`, description: pad, inputSchema: { type: 'object', description: pad.slice(0, 250) }, price: 0 }));
    const N = 2_100;
    for (let i = 0; i < N; i++) {
      patient(t, 'eve', 'genesis_store', 'write', { id: `t${i}`, interface: iface, access_contract_id: 'genesis_contract_private' });
      patient(t, 'eve', 'genesis_store', 'delete', { id: `t${i}` });
    }
    const SLOW = `export function check_permission(){ for (let i = 0; i < 1e7; i++) view.artifact("t" + (i % ${N})); return { allowed: true } }`;
    patient(t, 'eve', 'genesis_store', 'write', { id: 'slow', kind: 'contract', code: SLOW });
    patient(t, 'eve', 'genesis_store', 'write', { id: 'bait', content: 'x', access_contract_id: 'slow' });
    t.clock.advance(60_000);
}

describe('red team: host time a contract spends on view calls is free', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it("each read of eve's artifact holds the world's only host thread over a second, for one call and ~65 cpu_ms", { timeout: 300_000 }, () => {
    const t = w();
    plant(t);
    t.call('eve', 'genesis_store', 'read', { id: 'bait' }); // warm up
    const before = rates(t, 'eve');
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) t.call('eve', 'genesis_store', 'read', { id: 'bait' });
    const wall = performance.now() - t0;
    const after = rates(t, 'eve');
    const charged = after.cpu_ms.used - before.cpu_ms.used;
    console.log(`5 reads held the host ${wall.toFixed(0)} ms; eve was charged ${charged} cpu_ms and ${after.calls.used - before.calls.used} calls`);
    // Safe: the time the host spends on a command is charged to it, or bounded near its CPU budget plus the grace.
    expect(charged >= wall / 2 || wall / 5 < 150).toBe(true);
  });

  it("alice, a bystander, waits over a second for her balance behind eve's reads (target: p99 under 250 ms)", { timeout: 300_000 }, async () => {
    const t = w();
    plant(t);
    // eve keeps a backlog in the fair queue; alice's request arrives 20 ms later (as an HTTP request would:
    // it is read when the event loop next gets a turn).
    const start = performance.now();
    const eve = Array.from({ length: 4 }, () => t.world.submit('eve', 'genesis_store', 'read', { id: 'bait' }));
    const mine = await new Promise<{ ok: boolean; at: number }>((resolve) => {
      setTimeout(() => void t.world.submit('alice', 'genesis_ledger', 'balance', {}).then((r) => resolve({ ok: r.ok, at: performance.now() })), 20);
    });
    const waited = mine.at - (start + 20);
    await Promise.all(eve);
    console.log(`alice waited ${waited.toFixed(0)} ms for ledger_balance (${mine.ok ? 'ok' : 'failed'})`);
    expect(waited).toBeLessThan(250);
  });
});
