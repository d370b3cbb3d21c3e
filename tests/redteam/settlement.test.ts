/**
 * Red team: scheduled work is settled "by the first command that finds it due" (scheduler.ts settleDue),
 * all of it, inside that command's transaction.
 */
import { describe, expect, it } from 'vitest';
import { useWorld, type TestWorld } from '../helpers/world.ts';

function patient(t: TestWorld, caller: string, target: string, method: string, args: object): void {
  for (;;) {
    const r = t.call(caller, target, method, args);
    if (r.ok) return;
    if (r.error.code !== 'RATE_LIMITED') throw new Error(r.error.message);
    t.clock.advance(r.error.retry_after_ms ?? 60_000);
  }
}

describe("red team: eve's scheduled work lands in alice's command", () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it('1,500 escrow listings set to expire at one instant are all settled inside the next command, whoever makes it', { timeout: 120_000 }, () => {
    const t = w();
    const N = 1_500;
    const start = t.clock.now();
    const at = start + 3 * 3_600_000;
    for (let i = 0; i < N; i++) {
      patient(t, 'eve', 'genesis_store', 'write', { id: `a${i}` });
      // Each listing lapses at the same world instant.
      patient(t, 'eve', 'genesis_escrow', 'list', { artifact_id: `a${i}`, price: 1, expires_in_s: Math.round((at - t.clock.now()) / 1_000) });
    }
    t.clock.set(at + 1_000);
    const t0 = performance.now();
    const r = t.call('alice', 'genesis_ledger', 'balance', {});
    const ms = performance.now() - t0;
    const settled = t.world.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE type = 'escrow_expired' AND command_id = ?", r.command_id)!.n;
    console.log(`alice's ledger_balance settled ${settled} of eve's expiries and took ${ms.toFixed(0)} ms (a plain one takes under 1 ms)`);
    // Safe: a command does a bounded amount of others' settlement (or it is charged to whoever scheduled it).
    expect(settled).toBeLessThanOrEqual(50);
  });
});
