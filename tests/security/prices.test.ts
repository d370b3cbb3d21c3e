import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';

const NOTICE = 600_000;
const scrip = (t: TestWorld, p: string) => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip as number;
const tool = (price: number) => codeArtifact('app', 'export function run(){ return "ok" }', [{ name: 'run', price }]);
const priceOf = (t: TestWorld, who: string) => t.ok(who, 'genesis_store', 'info', { id: 'app' }).interface[0].price as number;

describe('attack 2: price switch', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { principal_defaults: { scrip: 1_000 }, market: { price_notice_ms: NOTICE } } });

  it('a raise between a buyer reading the price and calling does not surprise the buyer: it waits out a notice period', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', tool(1));
    expect(priceOf(t, 'bob')).toBe(1);
    t.ok('alice', 'genesis_store', 'write', { id: 'app', interface: tool(900).interface });
    // bob calls right after reading price 1: he pays 1.
    expect(t.ok('bob', 'genesis_store', 'invoke', { id: 'app', method: 'run' })).toBe('ok');
    expect(scrip(t, 'bob')).toBe(999);
    // The rise is announced where buyers look, with when it takes effect.
    const info = t.ok('bob', 'genesis_store', 'info', { id: 'app' });
    expect(info.interface[0].price).toBe(1);
    expect(info.price_changes).toEqual([{ method: 'run', price: 900, effective_at: t.clock.now() + NOTICE }]);
    expect(t.ok('bob', 'genesis_store', 'search', { query: 'app' }).results[0].methods).toEqual([{ name: 'run', price: 1, next_price: 900, next_price_at: t.clock.now() + NOTICE }]);
    // Rewriting other fields, or announcing a lower rise, does not restart or shorten the notice.
    t.clock.advance(NOTICE / 2);
    t.ok('alice', 'genesis_store', 'write', { id: 'app', description: 'now pricier', interface: tool(800).interface });
    expect(t.ok('bob', 'genesis_store', 'info', { id: 'app' }).price_changes[0]).toMatchObject({ price: 800, effective_at: t.clock.now() + NOTICE / 2 });
    // After the notice the new price applies, and a buyer who capped it is refused rather than charged.
    t.clock.advance(NOTICE / 2);
    expect(priceOf(t, 'bob')).toBe(800);
    const before = stateOf(t.world);
    const e = t.fail('bob', 'genesis_store', 'invoke', { id: 'app', method: 'run', max_price: 1 }, 'CONFLICT');
    expect(e.details).toMatchObject({ price: 800, max_price: 1 });
    expect(stateOf(t.world)).toBe(before);
    t.ok('bob', 'genesis_store', 'invoke', { id: 'app', method: 'run', max_price: 800 });
    expect(scrip(t, 'bob')).toBe(199);
  });

  it('a cut applies at once, and a raise after it is measured from what callers pay now', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', tool(50));
    t.ok('alice', 'genesis_store', 'write', { id: 'app', interface: tool(5).interface });
    expect(priceOf(t, 'bob')).toBe(5);
    t.ok('alice', 'genesis_store', 'write', { id: 'app', interface: tool(60).interface });
    expect(priceOf(t, 'bob')).toBe(5);
    t.ok('bob', 'genesis_store', 'invoke', { id: 'app', method: 'run' });
    expect(scrip(t, 'bob')).toBe(995);
  });

  it('code calling code can cap the price too', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', tool(40));
    const caller = 'export function go(a){ return invoke("app", "run", {}, { max_price: a.cap }) }';
    t.ok('bob', 'genesis_store', 'write', codeArtifact('buyer', caller, [{ name: 'go', inputSchema: { type: 'object', properties: { cap: { type: 'integer' } } } }], { has_standing: true }));
    t.ok('bob', 'genesis_ledger', 'transfer', { to: 'buyer', amount: 100 });
    expect(t.fail('bob', 'buyer', 'go', { cap: 39 }, 'CONFLICT').message).toMatch(/max_price of 39/);
    t.ok('bob', 'buyer', 'go', { cap: 40 });
    expect(scrip(t, 'buyer')).toBe(60);
  });
});
