import { describe, expect, it } from 'vitest';
import { T0, codeArtifact, useWorld, type TestWorld } from '../helpers/world.ts';

const PERIOD = 60_000;
const scrip = (t: TestWorld, who: string, p: string) => t.ok(who, 'genesis_ledger', 'balance', { principal: p }).balances.scrip as number;

describe('attack 3: sealed bids are not sealed', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'eve'], config: { principal_defaults: { scrip: 1_000 }, mint: { period_ms: PERIOD, first_at: T0 + PERIOD, slots: 1 } } });

  it("eve, watching alice's public balance around the public bid event, learns only the deposit, not the bid", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('tool', 'export function f(){ return 1 }', [{ name: 'f' }]));
    t.ok('bob', 'genesis_store', 'write', codeArtifact('tool2', 'export function f(){ return 2 }', [{ name: 'f' }]));
    const before = scrip(t, 'eve', 'alice');
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'tool', amount: 137 });
    const seen = before - scrip(t, 'eve', 'alice');
    expect(seen).not.toBe(137);
    expect(seen).toBe(256); // all eve learns: 128 < bid <= 256
    // A bidder can reveal even less by depositing more; bob bids 150 behind a deposit of 900.
    t.ok('bob', 'genesis_mint', 'bid', { artifact_id: 'tool2', amount: 150, deposit: 900 });
    expect(1_000 - scrip(t, 'eve', 'bob')).toBe(900);
    // Nothing else public carries an amount: not the events, nor mint_status, nor the mint's account.
    const events = t.ok('eve', 'genesis_event_log', 'read', { types: ['mint_bid'] }).events;
    // As JSON numbers or numeric strings, so that a random command id or a timestamp containing "137" is no match.
    const amount = /[:[,]\s*"?(137|150)"?\s*[,}\]]/;
    expect(JSON.stringify(events)).not.toMatch(amount);
    expect(JSON.stringify(t.ok('eve', 'genesis_mint', 'status', {}))).not.toMatch(amount);
    expect(JSON.stringify({ x: 137 })).toMatch(amount);
    t.fail('eve', 'genesis_ledger', 'balance', { principal: 'genesis_mint' }, 'ACCESS_DENIED');
    t.fail('eve', 'genesis_ledger', 'history', { principal: 'alice' }, 'ACCESS_DENIED');
    // At resolution the second price is public (as in any Vickrey auction): bob wins and pays alice's 137; the
    // refunds are whole deposits less the price, so they reveal no winner's bid.
    t.clock.set(T0 + PERIOD);
    t.world.settle();
    const last = t.ok('eve', 'genesis_mint', 'status', {}).last;
    expect(last).toMatchObject({ price: 137, winners: [{ artifact_id: 'tool2', bidder: 'bob' }] });
    expect(scrip(t, 'eve', 'alice')).toBe(1_000 + Math.floor(137 / 2));
    expect(scrip(t, 'eve', 'bob')).toBe(1_000 - 137);
  });
});
