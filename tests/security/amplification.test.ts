import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld } from '../helpers/world.ts';

/** Writes `n` empty artifacts from inside one call, stopping at the first refusal (which it reports). */
const AMPLIFIER = `export function go({ start, n }) {
  let made = 0;
  for (let i = 0; i < n; i++) {
    try { invoke('genesis_store', 'write', { id: 'junk' + (start + i), content: '' }); made++; }
    catch (e) { return { made, refused: e.code }; }
  }
  return { made };
}`;

describe('attack 8: free storage by amplification', () => {
  const w = useWorld({ principals: ['eve'], config: { principal_defaults: { scrip: 1_000 } } });

  it('every nested write is a call from eve\'s window and every artifact costs quota for its row', () => {
    const t = w();
    t.ok('eve', 'genesis_store', 'write', codeArtifact('amp', AMPLIFIER, [{ name: 'go' }], { has_standing: true }));
    t.ok('eve', 'genesis_rights', 'transfer', { to: 'amp', resource: 'disk_bytes', amount: 500_000 });
    const callsBefore = t.peek('genesis_rights', 'quotas', { principal: 'eve' }).rates.calls.used;
    // By default one call may take only 64 calls from eve's window; she allows the most.
    expect(t.ok('eve', 'amp', 'go', { start: 0, n: 199 })).toEqual({ made: 63, refused: 'LIMIT_EXCEEDED' });
    const callsBefore2 = t.peek('genesis_rights', 'quotas', { principal: 'eve' }).rates.calls.used;
    expect(callsBefore2 - callsBefore).toBe(64);
    const r = t.call('eve', 'amp', 'go', { start: 1_000, n: 199 }, { maxCalls: 200 });
    expect(r.ok && r.value).toEqual({ made: 199 });
    // One top-level call and 199 nested ones, all from eve's window.
    expect(t.peek('genesis_rights', 'quotas', { principal: 'eve' }).rates.calls.used - callsBefore2).toBe(200);
    // Empty artifacts are not free: each costs the row's overhead and its id.
    const disk = t.peek('genesis_rights', 'quotas', { principal: 'amp' }).disk;
    expect(disk.used).toBeGreaterThanOrEqual(262 * 256);
    // eve's whole allocation of 600 calls a minute covers at most three such calls.
    let refusedAt = -1;
    for (let i = 1; i <= 51 && refusedAt < 0; i++) {
      const out = t.call('eve', 'amp', 'go', { start: 10_000 + i * 199, n: 199 }, { maxCalls: 200 });
      if (!out.ok) refusedAt = i;
      else if ((out.value as { refused?: string }).refused) refusedAt = i;
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(refusedAt).toBeLessThanOrEqual(2);
    const made = t.world.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM artifacts WHERE id LIKE 'junk%'")!.n;
    expect(made).toBeLessThan(600);
  });

  it('the quota stops the writes before the window does, when it is smaller', () => {
    const t = w();
    t.ok('eve', 'genesis_store', 'write', codeArtifact('amp', AMPLIFIER, [{ name: 'go' }], { has_standing: true }));
    t.ok('eve', 'genesis_rights', 'transfer', { to: 'amp', resource: 'disk_bytes', amount: 10 * 270 });
    expect(t.ok('eve', 'amp', 'go', { start: 0, n: 199 })).toEqual({ made: 10, refused: 'QUOTA_EXCEEDED' });
  });
});
