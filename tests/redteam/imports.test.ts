/**
 * Red team: pinned imports (src/kernel/resolver.ts). A module's imports resolve through the pins of
 * the artifact whose code runs; code evaluated by `new Function` has a module base no artifact owns.
 */
import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld } from '../helpers/world.ts';

const PROBE = `export async function go(a){
  const m = await (new Function("name", "return import(name)"))(a.lib);
  return { secret: m.secret, source: m.f.toString(), version: m.f() };
}`;

describe('red team: imports through new Function', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'eve'] });

  it("eve loads alice's private library, and its source, without any right to read it", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', {
      id: 'vault',
      kind: 'library',
      access_contract_id: 'genesis_contract_private',
      code: 'export const secret = "alice-api-key-123"; export function f(){ /* the trade strategy */ return "v1" }',
    });
    // eve may neither read nor import it the normal way.
    t.fail('eve', 'genesis_store', 'read', { id: 'vault' }, 'ACCESS_DENIED');
    t.fail('eve', 'genesis_store', 'write', codeArtifact('direct', 'import { secret } from "vault"; export function go(){ return secret }', [{ name: 'go' }]), 'INVALID_ARGS');
    // Her probe names nothing at write time, then imports by name at run time from a Function body.
    t.ok('eve', 'genesis_store', 'write', codeArtifact('probe', PROBE, [{ name: 'go' }]));
    const r = t.call('eve', 'probe', 'go', { lib: 'vault' });
    if (r.ok) console.log('eve read:', r.value);
    // Safe: the import is refused (it was not pinned, and eve may not read vault).
    expect(r.ok).toBe(false);
  });

  it('code sold as pinned runs whatever its library becomes: the rug pull is back', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'helper', kind: 'library', code: 'export const secret = 0; export function f(){ return "honest v1" }' });
    t.ok('alice', 'genesis_store', 'write', codeArtifact('app', PROBE, [{ name: 'go' }]));
    t.ok('alice', 'genesis_store', 'transfer', { id: 'app', to: 'bob' });
    // bob's app shows no imports at all, so nothing for him to check, and it runs v1 today.
    expect(t.ok('bob', 'genesis_store', 'info', { id: 'app' }).imports).toBeUndefined();
    expect(t.ok('bob', 'app', 'go', { lib: 'helper' }).version).toBe('honest v1');
    // alice rewrites the library after the sale.
    t.ok('alice', 'genesis_store', 'write', { id: 'helper', code: 'export const secret = 0; export function f(){ return "rugged v2" }' });
    // Safe: bob's code runs only library versions it was written with (or the import fails).
    const r = t.call('bob', 'app', 'go', { lib: 'helper' });
    expect(r.ok ? (r.value as { version: string }).version : 'refused').not.toBe('rugged v2');
  });
});
