import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeResult } from '../../src/kernel/kernel.ts';
import { codeArtifact, stateOf, tempDir, type TestWorld } from '../helpers/world.ts';
import { packagesWorld, type registryStandIn, type StandInPackage } from './registry-standin.ts';

const value = <T = any>(r: InvokeResult): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};
const failure = (r: InvokeResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.error;
};

const marker = join(tempDir().dir, 'postinstall-ran');
const PACKAGES: StandInPackage[] = [
  // ESM with a dependency, and a default export.
  { name: 'tiny-chunk', version: '1.0.0', type: 'module', main: 'index.js', dependencies: { 'tiny-util': '^1.0.0' }, files: { 'index.js': "import { size } from 'tiny-util'; export function chunk(a, n) { const out = []; for (let i = 0; i < size(a); i += n) out.push(a.slice(i, i + n)); return out; } export default chunk;" } },
  { name: 'tiny-util', version: '1.2.0', type: 'module', main: 'index.js', files: { 'index.js': 'export const size = (a) => a.length;' } },
  { name: 'solo', version: '1.0.0', type: 'module', main: 'index.js', files: { 'index.js': 'export const one = 1;' } },
  { name: 'tiny-chunk', version: '2.0.0', type: 'module', main: 'index.js', files: { 'index.js': 'export function chunk() { return "v2"; } export default chunk;' } },
  // CommonJS, with an install script that must never run.
  { name: '@acme/shout', version: '0.3.1', main: 'index.js', scripts: { postinstall: `node -e "require('fs').writeFileSync('${marker}', 'ran')"` }, files: { 'index.js': 'exports.shout = (s) => s.toUpperCase() + "!"; exports.whisper = (s) => s.toLowerCase();' } },
  // Needs Node: through a dependency.
  { name: 'needs-fs', version: '1.0.0', main: 'index.js', dependencies: { 'reads-files': '1.0.0' }, files: { 'index.js': "module.exports = require('reads-files');" } },
  { name: 'reads-files', version: '1.0.0', main: 'index.js', files: { 'index.js': "const fs = require('fs'); module.exports = () => fs.readFileSync('/etc/passwd', 'utf8');" } },
  { name: 'native-thing', version: '1.0.0', main: 'index.js', gypfile: true, files: { 'index.js': 'module.exports = 1;', 'binding.gyp': '{}' } },
  { name: 'big-one', version: '1.0.0', main: 'index.js', files: { 'index.js': `module.exports = ${JSON.stringify('x'.repeat(300_000))};` } },
  { name: 'huge-one', version: '1.0.0', main: 'index.js', files: { 'index.js': `module.exports = ${JSON.stringify('y'.repeat(500_000))};` } },
  ...Array.from({ length: 6 }, (_, i) => ({ name: `chain-${i + 1}`, version: '1.0.0', main: 'index.js', ...(i < 5 ? { dependencies: { [`chain-${i + 2}`]: '1.0.0' } } : {}), files: { 'index.js': i < 5 ? `module.exports = require('chain-${i + 2}');` : 'module.exports = 6;' } })),
  { name: 'tampered', version: '1.0.0', main: 'index.js', tamper: true, files: { 'index.js': 'module.exports = 1;' } },
  // Tries every way out of the sandbox when it loads and when it is called.
  {
    name: 'escape-artist',
    version: '1.0.0',
    type: 'module',
    main: 'index.js',
    files: {
      'index.js': `export function probe() {
  const seen = {};
  for (const g of ['process', 'require', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout', 'Buffer', 'module', 'Deno', 'Bun', 'WebAssembly']) seen[g] = typeof globalThis[g];
  let fn = 'ok'; try { fn = typeof Function('return this')().process; } catch (e) { fn = 'threw'; }
  seen.viaFunction = fn;
  return seen;
}`,
    },
  },
];

describe('package_install against a local registry of tarballs the test builds', () => {
  let t: TestWorld;
  let reg: Awaited<ReturnType<typeof registryStandIn>>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, reg, close } = await packagesWorld(PACKAGES, { principals: ['alice', 'bob', 'carol'], packages: { fee_base: 5, fee_per_kib: 1, max_bundle_bytes: 200_000, max_download_bytes: 400_000, max_packages: 5, timeout_ms: 10_000 }, config: { principal_defaults: { scrip: 100, cpu_ms: 100_000 } } }));
  }, 30_000);
  afterAll(() => close());
  const install = (as: string, name: string, version?: string) => t.world.submit(as, 'genesis_packages', 'install', { name, ...(version === undefined ? {} : { version }) });
  const scrip = (p: string) => t.world.kernel.services.ledger.balance(p, 'scrip');

  it('installs a package with its dependency as one library; code imports it by name; another principal pays to use it', async () => {
    const before = scrip('alice');
    const r = value(await install('alice', 'tiny-chunk', '^1'));
    expect(r).toMatchObject({ id: 'npm_tiny-chunk_1_0_0', name: 'tiny-chunk', version: '1.0.0', installed: true, license: 'MIT', installed_by: 'alice' });
    expect(r.packages.map((p: { name: string; version: string }) => `${p.name}@${p.version}`)).toEqual(['tiny-chunk@1.0.0', 'tiny-util@1.2.0']);
    expect(r.integrity).toMatch(/^sha512-/);
    expect(r.fee).toBe(5 + Math.ceil(r.bytes / 1024));
    expect(scrip('alice')).toBe(before - r.fee);
    // The world's, readable by all, nothing of the installer's disk quota.
    expect(t.world.kernel.services.artifacts.get(r.id)).toMatchObject({ kind: 'library', owner: 'genesis_operator', access_contract_id: 'genesis_contract_freeware' });
    const ev = t.world.store.one<{ payload: string; principal: string }>("SELECT payload, principal FROM events WHERE type = 'package_installed'")!;
    expect(JSON.parse(ev.payload)).toMatchObject({ package: 'tiny-chunk', version: '1.0.0', installer: 'alice', fee: r.fee });

    t.ok('alice', 'genesis_store', 'write', codeArtifact('chunker', "import { chunk } from 'tiny-chunk'; import dflt from 'tiny-chunk'; export function split({ items, n }) { return { parts: chunk(items, n), same: dflt === chunk }; }", [{ name: 'split', price: 3 }]));
    const aliceBefore = scrip('alice');
    const bobBefore = scrip('bob');
    expect(value(await t.world.submit('bob', 'chunker', 'split', { items: [1, 2, 3, 4, 5], n: 2 }))).toEqual({ parts: [[1, 2], [3, 4], [5]], same: true });
    expect(scrip('bob')).toBe(bobBefore - 3);
    expect(scrip('alice')).toBe(aliceBefore + 3);
  });

  it('a version already installed costs nothing and fetches nothing; list and info show what is installed', async () => {
    const n = reg.requests.length;
    const before = scrip('bob');
    const again = value(await install('bob', 'tiny-chunk', '1.0.0'));
    expect(again).toMatchObject({ id: 'npm_tiny-chunk_1_0_0', installed: false, fee: 0, installed_by: 'alice' });
    expect(scrip('bob')).toBe(before);
    expect(reg.requests.length).toBe(n);
    const list = t.ok('carol', 'genesis_packages', 'list', {});
    expect(list.packages.map((p: { name: string }) => p.name)).toContain('tiny-chunk');
    expect(t.ok('carol', 'genesis_packages', 'info', { name: 'tiny-chunk' }).versions[0]).toMatchObject({ version: '1.0.0', id: 'npm_tiny-chunk_1_0_0' });
    t.fail('carol', 'genesis_packages', 'info', { name: 'nothing-here' }, 'NOT_FOUND');
  });

  it('code keeps the version it was written against; new code gets the newest its import allows', async () => {
    value(await install('alice', 'tiny-chunk', '2.0.0'));
    expect(value(await t.world.submit('bob', 'chunker', 'split', { items: [1, 2, 3], n: 2 })).parts).toEqual([[1, 2], [3]]);
    t.ok('alice', 'genesis_store', 'write', codeArtifact('newer', "import { chunk } from 'tiny-chunk'; export function v() { return chunk(); }", [{ name: 'v' }]));
    expect(value(await t.world.submit('bob', 'newer', 'v', {}))).toBe('v2');
    t.ok('alice', 'genesis_store', 'write', codeArtifact('pinned', "import { chunk } from 'tiny-chunk@^1'; export function v() { return chunk([1, 2], 1).length; }", [{ name: 'v' }]));
    expect(value(await t.world.submit('bob', 'pinned', 'v', {}))).toBe(2);
  });

  it('a CommonJS package with a postinstall script installs, the script never runs, the record says it was skipped; its exports import by name', async () => {
    const r = value(await install('carol', '@acme/shout'));
    expect(r).toMatchObject({ name: '@acme/shout', version: '0.3.1', skipped_scripts: [{ package: '@acme/shout@0.3.1', scripts: ['postinstall'] }] });
    expect(existsSync(marker)).toBe(false);
    // module.exports as the default import, and the names Node's own lexer finds as named imports.
    t.ok('carol', 'genesis_store', 'write', codeArtifact('loud', "import m from '@acme/shout'; import { whisper } from '@acme/shout'; export function go({ s }) { return m.shout(s) + whisper(s); }", [{ name: 'go' }]));
    expect(value(await t.world.submit('alice', 'loud', 'go', { s: 'Hey' }))).toBe('HEY!hey');
  });

  it('an installed package has no more power than any guest code', async () => {
    value(await install('alice', 'escape-artist'));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('prober', "import { probe } from 'escape-artist'; export function run() { return probe(); }", [{ name: 'run' }]));
    const seen = value(await t.world.submit('alice', 'prober', 'run', {}));
    for (const g of ['process', 'require', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout', 'Buffer', 'module', 'Deno', 'Bun', 'WebAssembly']) expect(seen[g], g).toBe('undefined');
    expect(['undefined', 'threw']).toContain(seen.viaFunction);
  });

  it('refuses bad requests with a clear error and changes nothing', async () => {
    const cases: [string, string | undefined, string, RegExp][] = [
      ['no-such-package', undefined, 'NOT_FOUND', /no package 'no-such-package'/],
      ['tiny-util', '9.9.9', 'NOT_FOUND', /no version matching/],
      ['Not A Name', undefined, 'INVALID_ARGS', /not a valid npm package spec/],
      ['tiny-util', '>>>1', 'INVALID_ARGS', /./],
      ['file:../evil', undefined, 'INVALID_ARGS', /only packages from the registry/],
      ['git+https://example.com/x.git', undefined, 'INVALID_ARGS', /only packages from the registry/],
      ['https://example.com/x.tgz', undefined, 'INVALID_ARGS', /only packages from the registry/],
      ['tiny-util', 'file:../x', 'INVALID_ARGS', /only packages from the registry/],
      ['needs-fs', undefined, 'INVALID_ARGS', /Node built-in 'fs' \(imported by its dependency reads-files@1.0.0\)/],
      ['native-thing', undefined, 'INVALID_ARGS', /native code/],
      ['big-one', undefined, 'QUOTA_EXCEEDED', /bundles to \d+ bytes, more than the 200000/],
      ['tampered', undefined, 'UPSTREAM_ERROR', /integrity|tarball/i],
      ['huge-one', undefined, 'QUOTA_EXCEEDED', /unpack to more than 400000 bytes/],
      ['chain-1', undefined, 'QUOTA_EXCEEDED', /more than 5 packages/],
    ];
    for (const [name, version, code, message] of cases) {
      const before = stateOf(t.world);
      const e = failure(await install('bob', name, version));
      expect(e.code, `${name}@${version}`).toBe(code);
      expect(e.message, `${name}@${version}`).toMatch(message);
      expect(stateOf(t.world), `${name}@${version}`).toBe(before);
    }
  });

  it('an import of something not installed names package_install; a Node built-in says the sandbox has none', () => {
    const e = t.fail('alice', 'genesis_store', 'write', codeArtifact('missing', "import x from 'left-pad'; export function f() { return x; }", [{ name: 'f' }]), 'INVALID_ARGS');
    expect(e.message).toMatch(/package_install/);
    const v = t.fail('alice', 'genesis_store', 'write', codeArtifact('missing2', "import x from 'tiny-util@^9'; export function f() { return x; }", [{ name: 'f' }]), 'INVALID_ARGS');
    expect(v.message).toMatch(/at that version[\s\S]*package_install \{name, version\}/);
    const b = t.fail('alice', 'genesis_store', 'write', codeArtifact('missing3', "import fs from 'node:fs'; export function f() { return fs; }", [{ name: 'f' }]), 'INVALID_ARGS');
    expect(b.message).toMatch(/Node built-in/);
  });

  it('two agents installing the same version at once: one artifact, one fetch, one fee', async () => {
    const before = { alice: scrip('alice'), bob: scrip('bob') };
    const tarballs = () => reg.requests.filter((u) => u.endsWith('.tgz') && u.includes('solo')).length;
    const fetched = tarballs();
    const [a, b] = await Promise.all([install('alice', 'solo', '1.0.0'), install('bob', 'solo', '1.0.0')]);
    const [va, vb] = [value(a), value(b)];
    expect(va.id).toBe(vb.id);
    expect([va.installed, vb.installed].sort()).toEqual([false, true]);
    expect(va.fee + vb.fee).toBe((va.installed ? va : vb).fee);
    expect(scrip('alice') + scrip('bob')).toBe(before.alice + before.bob - (va.fee + vb.fee));
    expect(tarballs()).toBe(fetched + 1);
    expect(t.world.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM packages WHERE name = 'solo'")!.n).toBe(1);
  });

  it('artifact_invoke of package_install installs too (its fetch still runs outside the transaction)', async () => {
    const r = value(await t.world.submit('carol', 'genesis_store', 'invoke', { id: 'genesis_packages', method: 'install', args: { name: 'escape-artist' } }));
    expect(r).toMatchObject({ name: 'escape-artist', installed: false, fee: 0 });
    const fresh = value(await t.world.submit('carol', 'genesis_store', 'invoke', { id: 'genesis_packages', method: 'install', args: { name: 'tiny-util', version: '1.2.0' } }));
    expect(fresh.name).toBe('tiny-util');
  });

  it('an installer without the base fee is refused before anything is fetched', async () => {
    t.world.createPrincipal('poor', { scrip: 2 });
    const n = reg.requests.length;
    // A version already installed costs nothing, so it is theirs anyway.
    expect(value(await install('poor', '@acme/shout', '0.3.1'))).toMatchObject({ installed: false, fee: 0 });
    const e = failure(await install('poor', 'solo', '^2'));
    expect(e.code).toBe('INSUFFICIENT_FUNDS');
    expect(e.message).toMatch(/at least 5 scrip[\s\S]*Nothing was fetched/);
    expect(reg.requests.length).toBe(n);
  });
});
