/**
 * Red team: the mint (genesis/mint/*). Duplicate code scores 0: "code identical to an artifact already
 * scored". Already scored means scored first, not written first.
 */
import { describe, expect, it } from 'vitest';
import { T0, codeArtifact, useWorld, type TestWorld } from '../helpers/world.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';

const PERIOD = 60_000;
const MINT: ConfigInput = { mint: { period_ms: PERIOD, first_at: T0 + PERIOD, slots: 1, minimum_bid: 1, mint_ratio: 10 } };

function resolve(t: TestWorld): any {
  const next = t.peek('genesis_mint', 'status', {}).next_resolution_at;
  t.clock.set(Math.max(t.clock.now(), next));
  t.world.settle();
  return t.peek('genesis_mint', 'status', {}).last;
}

describe('red team: copying a tool to have the original scored as a duplicate', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol', 'dave', 'eve'], config: MINT });

  it("eve copies alice's readable code, gets her copy scored first for 1 scrip, and alice's original then scores 0", () => {
    const t = w();
    const code = 'export function haiku(a){ return { haiku: a.topic + " at dawn / " + a.topic + " at dusk" } }';
    t.ok('alice', 'genesis_store', 'write', codeArtifact('haiku', code, [{ name: 'haiku', price: 2 }]));
    // alice's tool is genuinely used and paid for.
    for (const p of ['bob', 'carol', 'dave']) t.ok(p, 'haiku', 'haiku', { topic: 'rain' });
    // eve reads the code (freeware: anyone may) and writes it under her own id, reformatted.
    const copy = t.ok('eve', 'genesis_store', 'read', { id: 'haiku' }).code.replace(/ /g, '  ');
    t.ok('eve', 'genesis_store', 'write', codeArtifact('copycat', copy, [{ name: 'haiku', price: 2 }]));
    // In a quiet period eve is the only bidder: she wins at the minimum bid and her copy is scored (0 points).
    t.ok('eve', 'genesis_mint', 'bid', { artifact_id: 'copycat', amount: 1 });
    expect(resolve(t).winners[0]).toMatchObject({ artifact_id: 'copycat', bidder: 'eve', score: 0 });
    // Next period alice bids on her original, which three others paid for.
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'haiku', amount: 1 });
    const won = resolve(t).winners[0];
    console.log(won);
    // Safe: the original is not a duplicate of a later copy; it scores its 3 paying users (30 points, 3 scrip).
    expect(won).toMatchObject({ artifact_id: 'haiku', score: 30, minted: 3 });
  });
});
