import { describe, expect, it } from 'vitest';
import { codeArtifact, numberSchema, stateOf, useWorld } from '../helpers/world.ts';

describe('artifacts', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { principal_defaults: { disk_bytes: 10_000 } } });

  it('creates with the writer as owner and creator, then bumps the version on every write', () => {
    const t = w();
    const v1 = t.ok('alice', 'genesis_store', 'write', { id: 'notes', content: 'one', description: 'my notes' });
    expect(v1).toMatchObject({ id: 'notes', version: 1, created: true });
    const v2 = t.ok('alice', 'genesis_store', 'write', { id: 'notes', content: 'two' });
    expect(v2).toMatchObject({ version: 2, created: false });
    const a = t.ok('bob', 'genesis_store', 'read', { id: 'notes' });
    expect(a).toMatchObject({ id: 'notes', kind: 'data', owner: 'alice', created_by: 'alice', content: 'two', description: 'my notes', version: 2 });
    expect(a.access_contract_id).toBe('genesis_contract_freeware');
  });

  it('keeps omitted fields on update (no silent reset of contract or interface)', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function f(){ return 1 }', [{ name: 'f', price: 7 }], { access_contract_id: 'genesis_contract_public' }));
    t.ok('alice', 'genesis_store', 'write', { id: 'tool', description: 'renamed' });
    const a = t.ok('alice', 'genesis_store', 'read', { id: 'tool' });
    expect(a.access_contract_id).toBe('genesis_contract_public');
    expect(a.interface[0].price).toBe(7);
    expect(a.can_execute).toBe(true);
  });

  it.each([
    ['uppercase', 'Notes'],
    ['a space', 'my notes'],
    ['too long', 'x'.repeat(65)],
    ['empty', ''],
    ['a leading dash', '-x'],
  ])('refuses a malformed id (%s) with INVALID_ARGS', (_l, id) => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_store', 'write', { id, content: 'x' }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });

  it('refuses reserved genesis_ ids, for creation and for the world\'s own artifacts', () => {
    const t = w();
    const before = stateOf(t.world);
    expect(t.fail('alice', 'genesis_store', 'write', { id: 'genesis_fake', content: 'x' }, 'ACCESS_DENIED').message).toMatch(/reserved/);
    t.fail('alice', 'genesis_store', 'write', { id: 'genesis_ledger', content: 'x' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_store', 'delete', { id: 'genesis_ledger' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_store', 'transfer', { id: 'genesis_store', to: 'alice' }, 'ACCESS_DENIED');
    expect(stateOf(t.world)).toBe(before);
  });

  it('refuses oversize content, code and descriptions with the limit in the error', () => {
    const t = w();
    const before = stateOf(t.world);
    const big = t.fail('alice', 'genesis_store', 'write', { id: 'big', content: 'x'.repeat(256 * 1024 + 1) }, 'INVALID_ARGS');
    expect(big.details).toMatchObject({ limit: 256 * 1024 });
    t.fail('alice', 'genesis_store', 'write', { id: 'big', code: `// ${'x'.repeat(128 * 1024)}`, kind: 'library' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_store', 'write', { id: 'big', description: 'd'.repeat(501) }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });

  it('enforces the disk quota: bytes count against the owner', () => {
    const t = w();
    const before = stateOf(t.world);
    const e = t.fail('alice', 'genesis_store', 'write', { id: 'fat', content: 'x'.repeat(10_001) }, 'QUOTA_EXCEEDED');
    expect(e.details).toMatchObject({ quota: 10_000 });
    expect(stateOf(t.world)).toBe(before);
    const r = t.ok('alice', 'genesis_store', 'write', { id: 'fits', content: 'x'.repeat(6_000) });
    // The content, the id and the row's fixed overhead (limits.artifact_overhead_bytes), on top of
    // alice's own artifact (her five-byte id and its row).
    const used = 256 + 5 + 6_000 + 4 + 256;
    expect(r.disk_used).toBe(used);
    t.fail('alice', 'genesis_store', 'write', { id: 'fits2', content: 'x'.repeat(3_500) }, 'QUOTA_EXCEEDED');
    const q = t.ok('alice', 'genesis_rights', 'quotas', {});
    expect(q.disk).toEqual({ quota: 10_000, used, available: 10_000 - used });
  });

  it.each([
    ['not a list', { methods: [] }],
    ['a schema that is not an object type', [{ name: 'f', description: '', inputSchema: { type: 'string' }, price: 0 }]],
    ['an invalid JSON Schema', [{ name: 'f', description: '', inputSchema: { type: 'object', properties: { x: { type: 'nonsense' } } }, price: 0 }]],
    ['an unknown keyword', [{ name: 'f', description: '', inputSchema: { type: 'object', requird: ['x'] }, price: 0 }]],
    ['a regex pattern', [{ name: 'f', description: '', inputSchema: { type: 'object', properties: { x: { type: 'string', pattern: '(a+)+$' } } }, price: 0 }]],
    ['a $ref', [{ name: 'f', description: '', inputSchema: { type: 'object', properties: { x: { $ref: '#' } } }, price: 0 }]],
    ['a negative price', [{ name: 'f', description: '', inputSchema: { type: 'object' }, price: -1 }]],
    ['a bad method name', [{ name: 'my method', description: '', inputSchema: { type: 'object' }, price: 0 }]],
    ['a duplicate method', [{ name: 'f', description: '', inputSchema: { type: 'object' }, price: 0 }, { name: 'f', description: '', inputSchema: { type: 'object' }, price: 0 }]],
  ])('refuses an interface with %s', (_l, iface) => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_store', 'write', { id: 'tool', can_execute: true, code: 'export function f(){}', interface: iface }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });

  it('allows a property named like a forbidden keyword', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function f(a){ return a.pattern }', [{ name: 'f', inputSchema: { type: 'object', properties: { pattern: { type: 'string' } } } }]));
    expect(t.ok('bob', 'tool', 'f', { pattern: 'p' })).toBe('p');
  });

  it('requires code and an interface for executables, and code for contracts; checks syntax at write', () => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_store', 'write', { id: 'x', can_execute: true, code: 'export function f(){}' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_store', 'write', { id: 'x', can_execute: true, interface: [{ name: 'f', description: '', inputSchema: { type: 'object' }, price: 0 }] }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_store', 'write', { id: 'x', kind: 'contract' }, 'INVALID_ARGS');
    const syntax = t.fail('alice', 'genesis_store', 'write', codeArtifact('x', 'export function f( {', [{ name: 'f' }]), 'INVALID_ARGS');
    expect(syntax.message).toMatch(/SyntaxError/);
    expect(stateOf(t.world)).toBe(before);
  });

  it('refuses writes without permission, and naming a missing contract', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'mine', content: 'a' });
    const before = stateOf(t.world);
    const e = t.fail('bob', 'genesis_store', 'write', { id: 'mine', content: 'b' }, 'ACCESS_DENIED');
    expect(e.message).toMatch(/owner \(alice\)/);
    t.fail('alice', 'genesis_store', 'write', { id: 'other', content: 'a', access_contract_id: 'no_such_contract' }, 'NOT_FOUND');
    t.fail('alice', 'genesis_store', 'write', { id: 'other', content: 'a', access_contract_id: 'mine' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_store', 'write', { id: 'mine', has_standing: true }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_store', 'write', { id: 'mine', kind: 'genesis' }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });

  it('deletes to a tombstone: read says DELETED with when and by whom, invoke fails, writes fail, bytes are freed', () => {
    const t = w();
    // alice's own artifact (the principal) takes its row's bytes too.
    const own = t.ok('alice', 'genesis_rights', 'quotas', {}).disk.used;
    t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function f(){ return 1 }', [{ name: 'f' }]));
    const used = t.ok('alice', 'genesis_rights', 'quotas', {}).disk.used - own;
    expect(used).toBeGreaterThan(256);
    t.clock.advance(5);
    const d = t.ok('alice', 'genesis_store', 'delete', { id: 'tool' });
    expect(d).toMatchObject({ id: 'tool', freed_bytes: used, deleted_at: t.clock.now() });
    expect(t.ok('alice', 'genesis_rights', 'quotas', {}).disk.used).toBe(own);
    const e = t.fail('bob', 'genesis_store', 'read', { id: 'tool' }, 'DELETED');
    expect(e.details).toMatchObject({ deleted_by: 'alice', deleted_at: t.clock.now() });
    t.fail('bob', 'tool', 'f', {}, 'DELETED');
    t.fail('bob', 'genesis_store', 'invoke', { id: 'tool', method: 'f' }, 'DELETED');
    t.fail('alice', 'genesis_store', 'write', { id: 'tool', content: 'again' }, 'DELETED');
    t.fail('alice', 'genesis_store', 'delete', { id: 'tool' }, 'DELETED');
    const visible = t.ok('bob', 'genesis_store', 'search', { query: 'tool' }).results.map((r: { id: string }) => r.id);
    expect(visible).not.toContain('tool');
    const all = t.ok('bob', 'genesis_store', 'search', { query: 'tool', include_deleted: true }).results;
    expect(all.find((r: { id: string }) => r.id === 'tool')).toMatchObject({ deleted_at: t.clock.now(), can_execute: false });
  });

  it('only the contract decides deletes: bob cannot delete alice\'s freeware artifact', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'mine', content: 'a' });
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_store', 'delete', { id: 'mine' }, 'ACCESS_DENIED');
    expect(stateOf(t.world)).toBe(before);
  });

  it('transfers ownership to an account of the same agent; the old owner loses write and the new one gains it', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'deed', content: 'x' });
    // A wallet of alice's whose code writes and hands things back.
    const code = 'export function touch(){ return invoke("genesis_store", "write", { id: "deed", content: "z" }).version } export function give(){ return invoke("genesis_store", "transfer", { id: "deed", to: "alice" }).to }';
    t.ok('alice', 'genesis_store', 'write', codeArtifact('wallet', code, [{ name: 'touch' }, { name: 'give' }], { has_standing: true }));
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'wallet', resource: 'disk_bytes', amount: 2_000 });
    t.ok('alice', 'genesis_store', 'transfer', { id: 'deed', to: 'wallet' });
    t.fail('alice', 'genesis_store', 'write', { id: 'deed', content: 'y' }, 'ACCESS_DENIED');
    t.ok('alice', 'wallet', 'touch', {});
    expect(t.ok('alice', 'wallet', 'give', {})).toBe('alice');
    expect(t.ok('alice', 'genesis_store', 'read', { id: 'deed' })).toMatchObject({ owner: 'alice', content: 'z' });
    t.fail('alice', 'genesis_store', 'transfer', { id: 'deed', to: 'alice' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_store', 'transfer', { id: 'deed', to: 'ghost' }, 'NOT_FOUND');
    // Another agent must agree: nothing is pushed onto bob's quota; escrow is the way.
    const before = stateOf(t.world);
    expect(t.fail('alice', 'genesis_store', 'transfer', { id: 'deed', to: 'bob' }, 'ACCESS_DENIED').message).toMatch(/escrow_list .*price: 0, buyer: "bob"/);
    expect(stateOf(t.world)).toBe(before);
    const ev = t.ok('bob', 'genesis_event_log', 'read', { types: ['artifact_transferred'] }).events;
    expect(ev.map((e: { payload: { to: string } }) => e.payload.to)).toEqual(['wallet', 'alice']);
  });

  it('a transfer needs room in the new owner\'s disk quota', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'a1', content: 'x'.repeat(6_000) });
    t.ok('alice', 'genesis_store', 'write', { id: 'wallet', has_standing: true });
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_store', 'transfer', { id: 'a1', to: 'wallet' }, 'QUOTA_EXCEEDED');
    expect(stateOf(t.world)).toBe(before);
  });

  it('artifacts with standing are principals owned by their writer', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'vault', has_standing: true, description: 'a wallet' });
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'vault', amount: 10 });
    expect(t.ok('bob', 'genesis_ledger', 'balance', { principal: 'vault' }).balances.scrip).toBe(10);
    // A principal cannot be deleted while it holds scrip.
    t.fail('alice', 'genesis_store', 'delete', { id: 'vault' }, 'CONFLICT');
  });

  it('info describes without content and needs read or invoke permission; it never charges', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'secret', content: 'hidden', access_contract_id: 'genesis_contract_private' });
    t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function f(){ return 1 }', [{ name: 'f', price: 2, inputSchema: numberSchema(['x']) }]));
    t.fail('bob', 'genesis_store', 'info', { id: 'secret' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_store', 'read', { id: 'secret' }, 'ACCESS_DENIED');
    const info = t.ok('bob', 'genesis_store', 'info', { id: 'tool' });
    expect(info).not.toHaveProperty('content');
    expect(info).not.toHaveProperty('code');
    expect(info.interface[0]).toMatchObject({ name: 'f', price: 2 });
    expect(info.stats).toMatchObject({ invocations: 0, distinct_invokers: 0 });
    const mine = t.ok('alice', 'genesis_store', 'info', { id: 'secret' });
    expect(mine.owner).toBe('alice');
  });
});
