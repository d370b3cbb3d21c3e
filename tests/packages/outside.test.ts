import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeArtifact, openTestWorld, tempDir, type TestWorld } from '../helpers/world.ts';
import { packagesWorld } from './registry-standin.ts';

describe('installs wait on the registry outside the world', () => {
  let t: TestWorld;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const slow = [{ name: 'slowpoke', version: '1.0.0', type: 'module' as const, main: 'index.js', files: { 'index.js': 'export const slow = true;' } }];
    ({ t, close } = await packagesWorld(slow, { principals: ['alice', 'bob'], packages: { timeout_ms: 20_000 }, config: { principal_defaults: { scrip: 1_000 } }, delayMs: 1_500 }));
  }, 30_000);
  afterAll(() => close());

  it('a slow registry never stalls other commands: they commit while an install waits', async () => {
    const started = performance.now();
    const installing = t.world.submit('alice', 'genesis_packages', 'install', { name: 'slowpoke' });
    let committed = 0;
    // Each request to the stand-in waits 1.5 s; bob's transfers go on meanwhile.
    while (performance.now() - started < 1_200) {
      const r = await t.world.submit('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1 });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      committed++;
      await new Promise((res) => setTimeout(res, 20));
    }
    const r = await installing;
    expect(r.ok && (r.value as { version: string }).version).toBe('1.0.0');
    expect(committed).toBeGreaterThan(5);
  }, 30_000);
});

// The real registry this machine's npm is configured for (the only package test that needs the network), with
// packages stable for years.
describe('package_install from the real npm registry', () => {
  it('installs is-odd@3.0.1 with its dependency, and code runs it', async () => {
    const cache = tempDir();
    const t = await openTestWorld({ principals: ['alice'], config: { packages: { registry: undefined as unknown as string, cache_dir: cache.dir, timeout_ms: 60_000 } } });
    try {
      const r = await t.world.submit('alice', 'genesis_packages', 'install', { name: 'is-odd', version: '3.0.1' });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      expect(r.value).toMatchObject({ id: 'npm_is-odd_3_0_1', integrity: 'sha512-CQpnWPrDwmP1+SMHXZhtLtJv90yiyVfluGsX5iNCVkrhQtU3TQHsUWPG9wkdk9Lgd5yNpAg9jQEo90CBaXgWMA==', packages: [{ name: 'is-odd', version: '3.0.1' }, { name: 'is-number', version: '6.0.0' }] });
      t.ok('alice', 'genesis_store', 'write', codeArtifact('odd', "import isOdd from 'is-odd'; export function check({ n }) { return isOdd(n); }", [{ name: 'check' }]));
      const v = await t.world.submit('alice', 'odd', 'check', { n: 7 });
      expect(v.ok && v.value).toBe(true);
      expect(t.world.check().violations).toEqual([]);
    } finally {
      await t.world.close();
      cache.cleanup();
    }
  }, 120_000);
});
