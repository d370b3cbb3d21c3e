/**
 * Red team: price notice (artifact.ts holdPrices). A raise waits market.price_notice_ms; the hold is
 * keyed by method name and only compared with the interface just before the write.
 */
import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld, type TestWorld } from '../helpers/world.ts';

const NOTICE = 600_000;
const scrip = (t: TestWorld, p: string): number => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip;
const CODE = 'export function run(){ return "ok" } export function other(){ return "x" }';

describe('red team: price switch through a removed method', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { principal_defaults: { scrip: 1_000 }, market: { price_notice_ms: NOTICE } } });

  it('alice drops the method and adds it back dearer: the new price applies at once', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('app', CODE, [{ name: 'run', price: 1 }]));
    // bob looks: 1 scrip, no announced rise.
    const info = t.ok('bob', 'genesis_store', 'info', { id: 'app' });
    expect(info.interface[0].price).toBe(1);
    expect(info.price_changes).toBeUndefined();
    // Two writes in a row (the same moment, or one command of alice's code).
    t.ok('alice', 'genesis_store', 'write', { id: 'app', interface: codeArtifact('app', CODE, [{ name: 'other', price: 0 }]).interface });
    t.ok('alice', 'genesis_store', 'write', { id: 'app', interface: codeArtifact('app', CODE, [{ name: 'run', price: 900 }]).interface });
    // bob calls as he was told he could: no max_price, "you pay the price artifact_info shows; raises wait a notice period".
    t.ok('bob', 'genesis_store', 'invoke', { id: 'app', method: 'run' });
    // Safe: bob pays 1, the price he read a moment ago.
    expect(scrip(t, 'bob')).toBe(999);
  });
});
