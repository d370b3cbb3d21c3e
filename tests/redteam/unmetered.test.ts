/**
 * Red team: work and storage that no quota or window pays for (principle 14; threat model attack 8).
 */
import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld, type TestWorld } from '../helpers/world.ts';

const callsUsed = (t: TestWorld, p: string): number => t.peek('genesis_rights', 'quotas', { principal: p }).rates.calls.used;
const bytes = (t: TestWorld, sql: string): number => t.world.store.one<{ n: number | null }>(sql)!.n ?? 0;

describe('red team: refused calls are free and still stored', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it('a call refused for its arguments takes nothing from the calls window, however many are made', () => {
    const t = w();
    // 700 calls, more than eve's whole window of 600, each refused before the door counts it.
    for (let i = 0; i < 700; i++) t.call('eve', 'genesis_ledger', 'balance', { principal: `NOT A VALID ID ${i}` });
    // Safe: each refused command is a command of eve's and draws on her window (or is refused RATE_LIMITED).
    expect(callsUsed(t, 'eve')).toBeGreaterThanOrEqual(600);
  });

  it('a refused call stores its whole request (400 KB) in the command log: unmetered, unbounded database growth', () => {
    const t = w();
    const junk = 'x'.repeat(400_000);
    const before = bytes(t, 'SELECT SUM(length(args)) AS n FROM commands');
    for (let i = 0; i < 50; i++) t.call('eve', 'genesis_ledger', 'balance', { principal: `${junk}${i}` });
    const grown = bytes(t, 'SELECT SUM(length(args)) AS n FROM commands') - before;
    // Each refused call now draws from eve's window too (a 400 KB request weighs 25 calls).
    expect(callsUsed(t, 'eve')).toBeGreaterThan(0);
    // Safe: what a refused call leaves behind is small (say at most 4 KB each), or it is charged.
    expect(grown).toBeLessThan(50 * 4_096);
  });
});

describe('red team: idempotency records are free storage', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it('each keyed call keeps a 250 KB result outside every quota, and replaying it costs no call', () => {
    const t = w();
    // The result is made by code, so it occupies nothing of eve's quota.
    t.ok('eve', 'genesis_store', 'write', codeArtifact('blob', 'export function get(a){ return { n: a.n, blob: "x".repeat(250000) } }', [{ name: 'get' }]));
    const disk0 = t.peek('genesis_rights', 'quotas', { principal: 'eve' }).disk.used;
    // Kept results are charged to eve's disk quota: once it is full, a keyed call is refused (and undone).
    let kept = 0;
    for (let i = 0; i < 20; i++) {
      const r = t.call('eve', 'blob', 'get', { n: i }, { idempotencyKey: `k${i}` });
      if (r.ok) kept++;
      else expect(r.error.code).toBe('QUOTA_EXCEEDED');
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(20);
    const stored = bytes(t, "SELECT SUM(length(result)) AS n FROM idempotency WHERE principal = 'eve'");
    const used = callsUsed(t, 'eve');
    for (let i = 0; i < 100; i++) {
      const r = t.call('eve', 'blob', 'get', { n: i % kept }, { idempotencyKey: `k${i % kept}` });
      expect(r.ok && r.replayed).toBe(true);
    }
    const replaysCharged = callsUsed(t, 'eve') - used;
    // Safe: 5 MB kept for eve is charged to her disk quota (or not kept), and a replay is a call like any other.
    expect.soft(t.peek('genesis_rights', 'quotas', { principal: 'eve' }).disk.used - disk0).toBeGreaterThanOrEqual(stored);
    expect.soft(replaysCharged).toBe(100);
  });
});

describe('red team: tombstones keep their interface and description, free', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it('write-and-delete leaves ~33 KB per tombstone in the database, with the whole quota refunded', () => {
    const t = w();
    // 32 methods with long descriptions and schemas: just under limits.max_interface_bytes (32 KiB).
    const pad = 'z'.repeat(680);
    const iface = Array.from({ length: 32 }, (_, i) => ({ name: `m${i}`, description: pad, inputSchema: { type: 'object', description: pad.slice(0, 250) }, price: 0 }));
    const disk0 = t.peek('genesis_rights', 'quotas', { principal: 'eve' }).disk.used;
    const db0 = bytes(t, 'SELECT SUM(length(interface) + length(description)) AS n FROM artifacts');
    for (let i = 0; i < 20; i++) {
      t.ok('eve', 'genesis_store', 'write', { id: `t${i}`, description: 'd'.repeat(500), interface: iface });
      t.ok('eve', 'genesis_store', 'delete', { id: `t${i}` });
    }
    const kept = bytes(t, 'SELECT SUM(length(interface) + length(description)) AS n FROM artifacts') - db0;
    console.log(`20 tombstones keep ${kept} bytes of interface and description; eve's quota use changed by ${t.peek('genesis_rights', 'quotas', { principal: 'eve' }).disk.used - disk0}`);
    // Safe: a tombstone keeps only who deleted what and when (the threat model's ~210-byte row), nothing the author chose to put there.
    expect(kept).toBeLessThan(20 * 1_024);
  });
});
