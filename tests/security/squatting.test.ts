import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld } from '../helpers/world.ts';
import { serviceCall } from '../helpers/services.ts';

/** The per-agent tally ids the services used before their records moved into namespaces (FNV-1a, 64 bits). */
function oldTallyId(prefix: string, maker: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < maker.length; i++) h = ((h ^ BigInt(maker.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return prefix + h.toString(16).padStart(16, '0');
}

describe('attack 4: squatting a service\'s records', () => {
  const w = useWorld({ principals: ['alice', 'dave', 'eve'], config: { principal_defaults: { scrip: 1_000 } } });

  it('eve writes the tally ids of genesis_debt and genesis_lock first; dave is still served by both', () => {
    const t = w();
    for (const prefix of ['debtq_', 'lockq_']) {
      const id = oldTallyId(prefix, 'dave');
      // Where the services keep their records now, eve cannot create anything ...
      const service = prefix === 'debtq_' ? 'genesis_debt' : 'genesis_lock';
      expect(t.fail('eve', 'genesis_store', 'write', { id: `${service}.${id}`, kind: 'data', content: '{"maker":"dave"}' }, 'ACCESS_DENIED').message).toMatch(/reserved to the artifact 'genesis_/);
      // ... and what she can still write elsewhere means nothing to them.
      t.ok('eve', 'genesis_store', 'write', { id, kind: 'data', content: JSON.stringify({ maker: 'dave', pending: 999, names: 999 }) });
    }
    expect(serviceCall(t, 'dave', 'genesis_debt', 'issue', { creditor: 'alice', principal: 10, interest_bps_per_day: 0, due_in_s: 60 })).toMatchObject({ debtor: 'dave', status: 'pending' });
    expect(serviceCall(t, 'dave', 'genesis_lock', 'acquire', { name: 'turn', ttl_s: 60 })).toMatchObject({ holder: 'dave' });
  });

  it('a namespace belongs to its artifact and that artifact\'s owner, for any artifact', () => {
    const t = w();
    // A principal's own namespace.
    t.ok('alice', 'genesis_store', 'write', { id: 'alice.notes', content: 'mine' });
    const before = stateOf(t.world);
    t.fail('eve', 'genesis_store', 'write', { id: 'alice.notes2', content: 'squat' }, 'ACCESS_DENIED');
    // Nobody may claim the namespace of an artifact that does not exist yet (it would be squatted in advance).
    t.fail('eve', 'genesis_store', 'write', { id: 'future-service.x', content: 'squat' }, 'ACCESS_DENIED');
    t.fail('eve', 'genesis_store', 'write', { id: 'genesis_ledger.x', content: 'squat' }, 'ACCESS_DENIED');
    expect(stateOf(t.world)).toBe(before);
    // An executable with standing keeps records in its namespace from its own code; its owner may too.
    const code = 'export function put(a){ return invoke("genesis_store", "write", { id: "svc." + a.k, content: "v" }).id }';
    t.ok('alice', 'genesis_store', 'write', codeArtifact('svc', code, [{ name: 'put' }], { has_standing: true }));
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'svc', resource: 'disk_bytes', amount: 10_000 });
    expect(t.ok('eve', 'genesis_store', 'invoke', { id: 'svc', method: 'put', args: { k: 'r1' } })).toBe('svc.r1');
    t.ok('alice', 'genesis_store', 'write', { id: 'svc.r2', content: 'by the owner' });
    t.fail('eve', 'genesis_store', 'write', { id: 'svc.r3', content: 'squat' }, 'ACCESS_DENIED');
    // A deleted artifact's namespace is closed to new ids.
    t.ok('alice', 'genesis_store', 'write', { id: 'gone', content: '' });
    t.ok('alice', 'genesis_store', 'delete', { id: 'gone' });
    t.fail('alice', 'genesis_store', 'write', { id: 'gone.x', content: '' }, 'ACCESS_DENIED');
    // Malformed dotted ids are INVALID_ARGS.
    for (const id of ['alice.', '.alice', 'alice..x', 'alice._x']) t.fail('alice', 'genesis_store', 'write', { id, content: '' }, 'INVALID_ARGS');
  });
});
