/**
 * Red team: the spare worker covers one kill. Two kills in a row (two attacker principals, each one
 * native hog) leave every worker booting, and a bystander whose command needs the sandbox (any call
 * to agent code) waits for a boot (~175 ms idle, far more on a loaded 2-core machine: see
 * bench/redteam-worker-churn.ts, where 1 to 6 attackers at their cpu_ms allocation put such a
 * bystander's p99 at 0.7 to 2.7 s). "Never wait for a boot" holds only for commands that need no worker.
 */
import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld } from '../helpers/world.ts';

const HOG = "export function f(){ return new Array(3e7).join('x').length }";

describe('red team: kills that leave no worker for a bystander', () => {
  const t = useWorld({ principals: ['eve', 'mallory', 'bystander', 'author'] });

  it('a bystander calling agent code right after two other principals\' kills does not wait for a worker to boot', async () => {
    const { world, ok } = t();
    ok('author', 'genesis_store', 'write', codeArtifact('hog', HOG, [{ name: 'f' }]));
    ok('author', 'genesis_store', 'write', codeArtifact('echo', 'export function f(a){ return a }', [{ name: 'f' }]));
    await world.submit('bystander', 'echo', 'f', {});
    const waits: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      while (world.sandbox.readyWorkers < 2) await new Promise((r) => setTimeout(r, 10));
      const [a, b] = await Promise.all([world.submit('eve', 'hog', 'f', {}), world.submit('mallory', 'hog', 'f', {})]);
      expect([a.ok ? 'ok' : a.error.code, b.ok ? 'ok' : b.error.code]).toEqual(['TIMEOUT', 'TIMEOUT']);
      const t0 = performance.now();
      const r = await world.submit('bystander', 'echo', 'f', { x: 1 });
      waits.push(performance.now() - t0);
      expect(r.ok).toBe(true);
    }
    // Measured here: 100-200 ms each (a boot), against ~2 ms with a worker ready.
    expect(Math.max(...waits), `bystander waits: ${waits.map((w) => w.toFixed(0)).join(', ')} ms`).toBeLessThan(50);
  });
});
