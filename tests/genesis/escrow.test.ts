import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';

const scrip = (t: TestWorld, p: string): number => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip;
const owner = (t: TestWorld, id: string): string => t.peek('genesis_store', 'info', { id }).owner;

function sellTool(t: TestWorld, price = 100, extra: Record<string, unknown> = {}) {
  t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function run(){ return "ok" }', [{ name: 'run' }]));
  return t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'tool', price, ...extra }).listing_id as string;
}

describe('escrow', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'], config: { principal_defaults: { scrip: 150 } } });

  it('AC-1: a sale at 100 with the buyer holding 150 moves ownership and scrip together and closes the listing', () => {
    const t = w();
    const id = sellTool(t);
    expect(id).toMatch(/^lst_[0-9a-f]{24}$/);
    const r = t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: id });
    expect(r).toEqual({ listing_id: id, artifact_id: 'tool', price: 100, seller: 'alice', owner: 'bob' });
    expect(owner(t, 'tool')).toBe('bob');
    expect(scrip(t, 'bob')).toBe(50);
    expect(scrip(t, 'alice')).toBe(250);
    expect(t.ok('carol', 'genesis_escrow', 'listings', {}).listings).toEqual([]);
    // The new owner controls it; the old one does not.
    t.ok('bob', 'genesis_store', 'write', { id: 'tool', description: 'mine now' });
    t.fail('alice', 'genesis_store', 'write', { id: 'tool', description: 'still mine?' }, 'ACCESS_DENIED');
    const types = t.peek('genesis_event_log', 'read', { artifact_id: 'tool', types: ['escrow_listed', 'escrow_sold', 'artifact_transferred'] }).events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['escrow_listed', 'escrow_sold', 'artifact_transferred']);
  });

  it('AC-2: a buyer without funds changes nothing; the listing stays active', () => {
    const t = w();
    const id = sellTool(t, 200);
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_escrow', 'purchase', { listing_id: id }, 'INSUFFICIENT_FUNDS');
    expect(stateOf(t.world)).toBe(before);
    expect(t.ok('bob', 'genesis_escrow', 'listings', {}).listings.map((l: { listing_id: string }) => l.listing_id)).toEqual([id]);
  });

  it('AC-3: cancel releases the artifact to its owner; cancelling after a sale fails', () => {
    const t = w();
    const id = sellTool(t);
    t.ok('alice', 'genesis_escrow', 'cancel', { listing_id: id });
    t.ok('alice', 'genesis_store', 'write', { id: 'tool', description: 'editable again' });
    const id2 = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'tool', price: 10 }).listing_id;
    t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: id2 });
    expect(t.fail('alice', 'genesis_escrow', 'cancel', { listing_id: id2 }, 'CONFLICT').message).toMatch(/sold/);
  });

  it('AC-4: buying something not listed says the listing was not found', () => {
    const t = w();
    t.fail('bob', 'genesis_escrow', 'purchase', { listing_id: 'lst_nothing' }, 'NOT_FOUND');
  });

  it('AC-5: a listing for one buyer refuses anyone else and sells to them', () => {
    const t = w();
    const id = sellTool(t, 10, { buyer: 'carol' });
    const e = t.fail('bob', 'genesis_escrow', 'purchase', { listing_id: id }, 'ACCESS_DENIED');
    expect(e.message).toMatch(/reserved for carol/);
    expect(t.ok('carol', 'genesis_escrow', 'listings', { for_me: true }).listings).toHaveLength(1);
    t.ok('carol', 'genesis_escrow', 'purchase', { listing_id: id });
    expect(owner(t, 'tool')).toBe('carol');
  });

  it('the seller cannot buy their own listing, and max_price protects the buyer', () => {
    const t = w();
    const id = sellTool(t, 80);
    t.fail('alice', 'genesis_escrow', 'purchase', { listing_id: id }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_escrow', 'purchase', { listing_id: id, max_price: 79 }, 'CONFLICT');
    t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: id, max_price: 80 });
  });

  it('front-running is impossible: only someone allowed to transfer can list, and listing takes custody at once', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function run(){ return 1 }', [{ name: 'run' }]));
    const before = stateOf(t.world);
    expect(t.fail('bob', 'genesis_escrow', 'list', { artifact_id: 'tool', price: 1 }, 'ACCESS_DENIED').message).toMatch(/transfer/);
    expect(stateOf(t.world)).toBe(before);
    const id = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'tool', price: 5 }).listing_id;
    // While listed, nobody (the owner included) can write, delete, transfer or list it again.
    t.fail('alice', 'genesis_store', 'write', { id: 'tool', description: 'x' }, 'CONFLICT');
    t.fail('alice', 'genesis_store', 'delete', { id: 'tool' }, 'CONFLICT');
    t.fail('alice', 'genesis_store', 'transfer', { id: 'tool', to: 'carol' }, 'CONFLICT');
    t.fail('alice', 'genesis_escrow', 'list', { artifact_id: 'tool', price: 1 }, 'CONFLICT');
    // Reads and invokes follow its contract as before.
    expect(t.ok('bob', 'tool', 'run', {})).toBe(1);
    expect(t.ok('bob', 'genesis_store', 'info', { id: 'tool' }).listing).toBe(id);
  });

  it('purchase racing cancel: whichever lands first wins, the other fails cleanly', () => {
    const t = w();
    const id = sellTool(t, 10);
    t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: id });
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_escrow', 'cancel', { listing_id: id }, 'CONFLICT');
    t.fail('carol', 'genesis_escrow', 'purchase', { listing_id: id }, 'CONFLICT');
    expect(stateOf(t.world)).toBe(before);

    const id2 = t.ok('bob', 'genesis_escrow', 'list', { artifact_id: 'tool', price: 10 }).listing_id;
    t.ok('bob', 'genesis_escrow', 'cancel', { listing_id: id2 });
    t.fail('carol', 'genesis_escrow', 'purchase', { listing_id: id2 }, 'CONFLICT');
    expect(owner(t, 'tool')).toBe('bob');
  });

  it('only the seller may cancel', () => {
    const t = w();
    const id = sellTool(t);
    t.fail('bob', 'genesis_escrow', 'cancel', { listing_id: id }, 'ACCESS_DENIED');
  });

  it('expiry returns the artifact to its seller, settled lazily and once', () => {
    const t = w();
    const id = sellTool(t, 10, { expires_in_s: 60 });
    t.clock.advance(59_999);
    expect(t.ok('bob', 'genesis_escrow', 'listings', {}).listings).toHaveLength(1);
    t.clock.advance(1);
    // The first command after expiry settles it, whoever makes it.
    t.ok('carol', 'genesis_ledger', 'balance', {});
    expect(t.peek('genesis_event_log', 'read', { types: ['escrow_expired'] }).events).toHaveLength(1);
    t.fail('bob', 'genesis_escrow', 'purchase', { listing_id: id }, 'CONFLICT');
    t.ok('alice', 'genesis_store', 'write', { id: 'tool', description: 'released' });
    t.ok('carol', 'genesis_ledger', 'balance', {});
    expect(t.peek('genesis_event_log', 'read', { types: ['escrow_expired'] }).events).toHaveLength(1);
  });

  it('a purchase needs room in the buyer\'s disk quota; otherwise nothing changes', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'blob', content: 'x'.repeat(200_000) });
    const id = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'blob', price: 1 }).listing_id;
    t.ok('bob', 'genesis_rights', 'transfer', { to: 'carol', resource: 'disk_bytes', amount: 900_000 });
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_escrow', 'purchase', { listing_id: id }, 'QUOTA_EXCEEDED');
    expect(stateOf(t.world)).toBe(before);
  });

  it('refuses bad listings with clear errors', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'doc', content: 'x' });
    t.fail('alice', 'genesis_escrow', 'list', { artifact_id: 'genesis_ledger', price: 1 }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_escrow', 'list', { artifact_id: 'nothing', price: 1 }, 'NOT_FOUND');
    t.fail('alice', 'genesis_escrow', 'list', { artifact_id: 'doc', price: -1 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_escrow', 'list', { artifact_id: 'doc', price: 1, buyer: 'alice' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_escrow', 'list', { artifact_id: 'doc', price: 1, buyer: 'ghost' }, 'NOT_FOUND');
  });
});
