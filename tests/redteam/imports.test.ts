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

describe('red team: pinned imports', () => {
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
    {
      // Handed over with the recipient's consent (a transfer to another agent needs escrow).
      const l = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'app', price: 0, buyer: 'bob' });
      t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: l.listing_id });
    }
    // bob's app shows no imports at all, so nothing for him to check; and an import made at run time is refused.
    expect(t.ok('bob', 'genesis_store', 'info', { id: 'app' }).imports).toBeUndefined();
    expect(t.fail('bob', 'app', 'go', { lib: 'helper' }, 'EXECUTION_ERROR').message).toMatch(/built at run time/);
    // alice rewrites the library after the sale.
    t.ok('alice', 'genesis_store', 'write', { id: 'helper', code: 'export const secret = 0; export function f(){ return "rugged v2" }' });
    // Safe: bob's code runs only library versions it was written with (or the import fails).
    const r = t.call('bob', 'app', 'go', { lib: 'helper' });
    expect(r.ok ? (r.value as { version: string }).version : 'refused').not.toBe('rugged v2');
  });

  it("a buyer who only changes the price of the app he bought starts running the seller's rewritten library", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'helper', kind: 'library', code: 'export function f(){ return "honest v1" }' });
    const app = (price: number) => codeArtifact('app', 'import { f } from "helper"; export function go(){ return f() }', [{ name: 'go', price }]);
    t.ok('alice', 'genesis_store', 'write', app(1));
    const listing = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'app', price: 10 }).listing_id;
    t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: listing });
    // After the sale alice rewrites her library; bob's app keeps v1, as promised.
    t.ok('alice', 'genesis_store', 'write', { id: 'helper', code: 'export function f(){ return "rugged v2" }' });
    expect(t.ok('bob', 'app', 'go', {})).toBe('honest v1');
    // bob raises his price. He changes no code.
    t.ok('bob', 'genesis_store', 'write', { id: 'app', interface: app(2).interface });
    // Safe: bob's code keeps running the versions it was written with.
    expect(t.ok('bob', 'app', 'go', {})).toBe('honest v1');
  });

  it("the seller deletes the library after the sale; the buyer can no longer change his app's price", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'helper', kind: 'library', code: 'export function f(){ return "v1" }' });
    const app = (price: number) => codeArtifact('app', 'import { f } from "helper"; export function go(){ return f() }', [{ name: 'go', price }]);
    t.ok('alice', 'genesis_store', 'write', app(1));
    const listing = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'app', price: 10 }).listing_id;
    t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: listing });
    t.ok('alice', 'genesis_store', 'delete', { id: 'helper' });
    expect(t.ok('bob', 'app', 'go', {})).toBe('v1'); // the kept version still runs
    const r = t.call('bob', 'genesis_store', 'write', { id: 'app', interface: app(2).interface });
    if (!r.ok) console.log(r.error.message);
    // Safe: the owner of code can reprice it without the consent of whoever wrote its libraries.
    expect(r.ok).toBe(true);
  });
});
