import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld, type TestWorld } from '../helpers/world.ts';

const library = (id: string, code: string) => ({ id, kind: 'library', code });
const APP = codeArtifact('app', "import { greet } from 'fmt';\nexport function run(){ return greet('bob') }", [{ name: 'run', price: 1 }]);

function sell(t: TestWorld, id: string, price: number): void {
  const l = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: id, price });
  t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: l.listing_id, max_price: price });
}

describe('attack 11: rug pull after a sale', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'], config: { principal_defaults: { scrip: 1_000 } } });

  it('what bob bought keeps running as it was, whatever alice does to the library it imports', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', library('fmt', "export const greet = (n) => 'hello ' + n;"));
    t.ok('alice', 'genesis_store', 'write', APP);
    expect(t.ok('carol', 'app', 'run', {})).toBe('hello bob');
    sell(t, 'app', 50);
    // alice rewrites the library to break every importer, then deletes it.
    t.ok('alice', 'genesis_store', 'write', { id: 'fmt', code: "export const greet = () => { throw new Error('rug pulled') };" });
    expect(t.ok('carol', 'app', 'run', {})).toBe('hello bob');
    // artifact_info shows what the code depends on, who owns it now, and that it moved on.
    expect(t.ok('carol', 'genesis_store', 'info', { id: 'app' }).imports).toEqual([{ id: 'fmt', version: 1, owner: 'alice', latest_version: 2 }]);
    t.ok('alice', 'genesis_store', 'delete', { id: 'fmt' });
    expect(t.ok('carol', 'app', 'run', {})).toBe('hello bob');
    expect(t.ok('carol', 'genesis_store', 'info', { id: 'app' }).imports).toEqual([{ id: 'fmt', version: 1, owner: 'alice', latest_version: 3, deleted: true }]);
  });

  it("the kept version is charged to the importer's owner, and dropped once nothing runs against it", () => {
    const t = w();
    const code = `export const pad = (s) => s + '${'.'.repeat(5_000)}';`;
    t.ok('alice', 'genesis_store', 'write', library('fmt', code));
    const bobBefore = t.peek('genesis_rights', 'quotas', { principal: 'bob' }).disk.used;
    t.ok('bob', 'genesis_store', 'write', codeArtifact('mine', "import { pad } from 'fmt';\nexport function run(){ return pad('x').length }", [{ name: 'run' }]));
    const size = t.ok('bob', 'genesis_store', 'info', { id: 'mine' }).size_bytes;
    expect(size).toBeGreaterThan(5_000);
    expect(t.peek('genesis_rights', 'quotas', { principal: 'bob' }).disk.used - bobBefore).toBe(size);
    const kept = () => t.world.store.all('SELECT id, version FROM library_versions');
    expect(kept()).toEqual([{ id: 'fmt', version: 1 }]);
    // Rewritten without the import, it pins nothing: the kept copy goes, and so does its charge.
    t.ok('bob', 'genesis_store', 'write', { id: 'mine', code: 'export function run(){ return 1 }' });
    expect(kept()).toEqual([]);
    expect(t.ok('bob', 'genesis_store', 'info', { id: 'mine' }).size_bytes).toBeLessThan(1_000);
  });

  it('imports are pinned through libraries that import libraries, and only static imports resolve', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', library('base', "export const v = 'base-1';"));
    t.ok('alice', 'genesis_store', 'write', library('mid', "import { v } from 'base';\nexport const both = () => 'mid+' + v;"));
    t.ok('bob', 'genesis_store', 'write', codeArtifact('top', "import { both } from 'mid';\nexport function run(){ return both() }\nexport async function late(){ return (await import('other')).x }", [{ name: 'run' }, { name: 'late' }]));
    t.ok('alice', 'genesis_store', 'write', { id: 'base', code: "export const v = 'base-2';" });
    t.ok('alice', 'genesis_store', 'write', { id: 'mid', code: "import { v } from 'base';\nexport const both = () => 'MID+' + v;" });
    // top still runs mid@1, which runs base@1 as mid was written against it.
    expect(t.ok('carol', 'top', 'run', {})).toBe('mid+base-1');
    expect(t.ok('carol', 'genesis_store', 'info', { id: 'top' }).imports.map((p: { id: string; version: number }) => `${p.id}@${p.version}`).sort()).toEqual(['base@1', 'mid@1']);
    t.ok('alice', 'genesis_store', 'write', library('other', 'export const x = 1;'));
    expect(t.fail('carol', 'top', 'late', {}, 'EXECUTION_ERROR').message).toMatch(/did not import it when its code was written/);
  });
});

describe('reputation gaming', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'], config: { principal_defaults: { scrip: 1_000 } } });

  it("a tool's record starts afresh when its code or its owner changes, but not when only its price does", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function run(){ return 1 }', [{ name: 'run', price: 1 }]));
    for (let i = 0; i < 3; i++) t.ok('carol', 'tool', 'run', {});
    const stats = () => t.ok('bob', 'genesis_store', 'info', { id: 'tool' }).stats;
    expect(stats()).toMatchObject({ invocations: 3, distinct_paying_invokers: 1 });
    t.ok('alice', 'genesis_store', 'write', { id: 'tool', interface: codeArtifact('tool', '', [{ name: 'run', price: 2 }]).interface });
    expect(stats()).toMatchObject({ invocations: 3 });
    // Bought with a good record, then its code swapped: the record does not carry over.
    sell(t, 'tool', 10);
    expect(stats()).toEqual({ invocations: 0, successes: 0, failures: 0, distinct_invokers: 0, distinct_paying_invokers: 0, since: t.clock.now(), since_reason: 'owner' });
    t.ok('carol', 'tool', 'run', {});
    t.clock.advance(1_000);
    t.ok('bob', 'genesis_store', 'write', { id: 'tool', code: 'export function run(){ return 2 }' });
    expect(stats()).toMatchObject({ invocations: 0, since: t.clock.now(), since_reason: 'code' });
  });
});
