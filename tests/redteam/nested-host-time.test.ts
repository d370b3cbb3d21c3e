/**
 * Red team: host time a guest makes the host spend serving its calls. The kill watches guest time
 * only (the stopwatch stands still while the host serves a nested invoke), so a guest that makes many
 * cheap-to-ask, costly-to-serve calls holds the host thread, and every other principal, until the
 * wall-clock backstop (sandbox.hard_kill_ms, 2 s), and is charged only the few milliseconds it ran.
 */
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';

const SPIN = `
export function spin() {
  let n = 0;
  for (let i = 0; i < 199; i++) {
    try { n += invoke('genesis_store', 'search', { limit: 100, sort: 'last_action' }).results.length } catch (e) { return n }
  }
  return n;
}`;

describe('red team: nested host work past the CPU budget', () => {
  const t = useWorld({ principals: ['mallory', 'planter'], config: { principal_defaults: { calls: 100_000 } } });

  it('one command does not hold the host for much longer than its CPU budget plus the grace, and pays for what it held', () => {
    const { world, ok } = t();
    // Private artifacts: each of mallory's searches examines 500 candidates and returns none.
    for (let i = 0; i < 600; i++) ok('planter', 'genesis_store', 'write', { id: `filler-${i}`, content: 'x', description: 'filler', access_contract_id: 'genesis_contract_private' });
    ok('mallory', 'genesis_store', 'write', { id: 'nest', can_execute: true, description: 'x', code: SPIN, interface: [{ name: 'spin', description: 's', inputSchema: { type: 'object' }, price: 0 }] });
    const cpuUsed = () => (t().peek('genesis_rights', 'quotas', { principal: 'mallory' }) as { rates: { cpu_ms: { used: number } } }).rates.cpu_ms.used;
    const before = cpuUsed();
    const t0 = performance.now();
    const r = world.invoke('mallory', 'genesis_store', 'invoke', { id: 'nest', method: 'spin', args: {} });
    const held = performance.now() - t0;
    const charged = cpuUsed() - before;
    const { cpu_ms, kill_grace_ms } = world.config.sandbox;
    const what = `${r.ok ? 'ok' : r.error.code}; host held ${held.toFixed(0)} ms, charged ${charged} cpu_ms (budget ${cpu_ms} + grace ${kill_grace_ms})`;
    // Measured here: TIMEOUT by the 2 s wall backstop; charged ~10 cpu_ms.
    expect(held, what).toBeLessThan(2.5 * (cpu_ms + kill_grace_ms));
    expect(charged, what).toBeGreaterThanOrEqual(Math.min(held, cpu_ms + kill_grace_ms) * 0.8);
  });
});
