import { describe, expect, it } from 'vitest';
import { T0, codeArtifact, openTestWorld, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';
import { parseScore } from '../../genesis/mint/llm.ts';
import { fakeLlm } from '../helpers/llm.ts';

const PERIOD = 60_000;
const MINT: ConfigInput = { mint: { period_ms: PERIOD, first_at: T0 + PERIOD, slots: 1, minimum_bid: 1, mint_ratio: 10 } };
const scrip = (t: TestWorld, p: string): number => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip;

function tool(t: TestWorld, owner: string, id: string, body = `return "${id}"`) {
  t.ok(owner, 'genesis_store', 'write', codeArtifact(id, `export function run(){ ${body} }`, [{ name: 'run', price: 1 }]));
}
/** Each bidder writes a tool named after it (alice -> a1) and bids on it, tools first, bids in order. */
function toolsAndBids(t: TestWorld, bids: Record<string, number>) {
  const id = (who: string) => `${who[0]}1`;
  for (const who of Object.keys(bids)) tool(t, who, id(who));
  for (const [who, amount] of Object.entries(bids)) t.ok(who, 'genesis_mint', 'bid', { artifact_id: id(who), amount });
}
/** Moves the clock to the next resolution and lets any command settle it. */
function resolve(t: TestWorld): any {
  const next = t.peek('genesis_mint', 'status', {}).next_resolution_at;
  t.clock.set(Math.max(t.clock.now(), next));
  t.world.settle();
  return t.peek('genesis_mint', 'status', {}).last;
}

describe('mint auction', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol', 'dave'], config: MINT });

  it('holds a deposit of at least the bid in custody until resolution (a bid of 50 holds 64)', () => {
    const t = w();
    tool(t, 'alice', 'a1');
    const r = t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 50 });
    expect(r).toMatchObject({ artifact_id: 'a1', amount: 50, deposit: 64, replaced: false, next_resolution_at: T0 + PERIOD });
    expect(scrip(t, 'alice')).toBe(36);
    // A chosen deposit, and one capped by the balance.
    expect(t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 50, deposit: 90 })).toMatchObject({ deposit: 90, replaced: true });
    expect(t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 70 })).toMatchObject({ deposit: 100 });
    expect(scrip(t, 'alice')).toBe(0);
  });

  it('a single bidder pays the minimum bid, and the price goes out as UBI to the others', () => {
    const t = w();
    tool(t, 'alice', 'a1');
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 30 });
    const last = resolve(t);
    expect(last).toMatchObject({ auction: 1, price: 1, bids: 1, ubi_each: 0, ubi_recipients: 0, ubi_burned: 1 });
    expect(last.winners).toEqual([{ artifact_id: 'a1', bidder: 'alice', score: 0, minted: 0, pending: false, reason: '0 distinct paying users since the last scoring' }]);
    expect(scrip(t, 'alice')).toBe(99);
  });

  it('uniform price: the winner pays the best losing bid; losers get it all back, plus UBI', () => {
    const t = w();
    toolsAndBids(t, { alice: 50, bob: 30, carol: 10 });
    const last = resolve(t);
    expect(last.price).toBe(30);
    expect(last.winners.map((x: { bidder: string }) => x.bidder)).toEqual(['alice']);
    // 30 split between bob, carol and dave: 10 each, nothing burned.
    expect(last).toMatchObject({ ubi_each: 10, ubi_recipients: 3, ubi_burned: 0 });
    expect(scrip(t, 'alice')).toBe(70);
    expect(scrip(t, 'bob')).toBe(110);
    expect(scrip(t, 'carol')).toBe(110);
    expect(scrip(t, 'dave')).toBe(110);
  });

  it('N slots: the top N win and each pays the (N+1)th bid; the UBI remainder is burned and recorded', async () => {
    const t = await openTestWorld({ principals: ['alice', 'bob', 'carol', 'dave', 'erin'], config: { mint: { ...MINT.mint, slots: 2 } } });
    try {
      toolsAndBids(t, { alice: 40, bob: 25, carol: 11 });
      const last = resolve(t);
      expect(last.price).toBe(11);
      expect(last.winners.map((x: { bidder: string }) => x.bidder).sort()).toEqual(['alice', 'bob']);
      // 22 among carol, dave, erin: 7 each, 1 burned.
      expect(last).toMatchObject({ ubi_each: 7, ubi_recipients: 3, ubi_burned: 1 });
      expect(scrip(t, 'alice')).toBe(89);
      expect(scrip(t, 'bob')).toBe(89);
      expect(scrip(t, 'carol')).toBe(107);
      const supply = t.world.check().summary.supply.scrip!;
      expect(supply.burned).toBe(1);
      expect(t.world.check().violations).toEqual([]);
    } finally {
      await t.world.close();
    }
  });

  it('no bids: the auction resolves with no winners and the next one is scheduled', () => {
    const t = w();
    const last = resolve(t);
    expect(last).toMatchObject({ auction: 1, bids: 0, winners: [] });
    expect(t.peek('genesis_mint', 'status', {}).next_resolution_at).toBe(T0 + 2 * PERIOD);
  });

  it('bids any time apply to the next resolution; an update replaces the bid; cancel refunds', () => {
    const t = w();
    tool(t, 'alice', 'a1');
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 20 });
    expect(t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 35 }).replaced).toBe(true);
    expect(scrip(t, 'alice')).toBe(100 - 64);
    expect(t.ok('alice', 'genesis_mint', 'status', {}).your_bids).toEqual([{ artifact_id: 'a1', amount: 35, deposit: 64, placed_at: T0 }]);
    expect(t.ok('alice', 'genesis_mint', 'cancel', { artifact_id: 'a1' })).toEqual({ artifact_id: 'a1', refunded: 64 });
    expect(scrip(t, 'alice')).toBe(100);
    t.fail('alice', 'genesis_mint', 'cancel', { artifact_id: 'a1' }, 'NOT_FOUND');
  });

  it('refuses bids on others\' artifacts, on data, below the minimum, and beyond the bidder\'s scrip', () => {
    const t = w();
    tool(t, 'alice', 'a1');
    t.ok('bob', 'genesis_store', 'write', { id: 'doc', content: 'x' });
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 5 }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_mint', 'bid', { artifact_id: 'doc', amount: 5 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 0 }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 101 }, 'INSUFFICIENT_FUNDS');
    t.fail('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 50, deposit: 49 }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_mint', 'cancel', { artifact_id: 'a1' }, 'NOT_FOUND');
    expect(stateOf(t.world)).toBe(before);
  });

  it('keeps bids sealed: no tool, event or account shows another bidder\'s amount', () => {
    const t = w();
    tool(t, 'alice', 'a1');
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 42 });
    const seen = t.ok('bob', 'genesis_mint', 'status', {});
    expect(seen.your_bids).toEqual([]);
    expect(seen.live_bids).toBe(1);
    expect(JSON.stringify(seen)).not.toContain('42');
    const events = t.ok('bob', 'genesis_event_log', 'read', { types: ['mint_bid'] }).events;
    expect(events[0].payload).toEqual({ artifact_id: 'a1', action: 'placed' });
    t.fail('bob', 'genesis_ledger', 'balance', { principal: 'genesis_mint' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_ledger', 'history', { principal: 'alice' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_ledger', 'history', { principal: 'genesis_mint' }, 'ACCESS_DENIED');
  });

  it('scores by usage: each distinct other principal who paid since the last scoring is worth points', () => {
    const t = w();
    tool(t, 'alice', 'a1');
    for (const p of ['bob', 'carol', 'dave']) t.ok(p, 'a1', 'run', {});
    t.ok('bob', 'a1', 'run', {});
    t.ok('alice', 'a1', 'run', {});
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 5 });
    let last = resolve(t);
    expect(last.winners[0]).toMatchObject({ score: 30, minted: 3 });
    // Since that scoring only carol paid again: 10 points, 1 scrip.
    t.ok('carol', 'a1', 'run', {});
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 5 });
    last = resolve(t);
    expect(last.winners[0]).toMatchObject({ score: 10, minted: 1 });
  });

  it('copied code scores 0, comments and whitespace notwithstanding', () => {
    const t = w();
    tool(t, 'alice', 'a1', 'const x = 1; return x + 1;');
    t.ok('bob', 'a1', 'run', {});
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 5 });
    expect(resolve(t).winners[0].score).toBe(10);
    t.ok('carol', 'genesis_store', 'write', codeArtifact('copy', 'export function run(){ /* mine! */ const x = 1;\n\n   return x + 1; // yes\n }', [{ name: 'run', price: 1 }]));
    t.ok('bob', 'copy', 'run', {});
    t.ok('carol', 'genesis_mint', 'bid', { artifact_id: 'copy', amount: 5 });
    const last = resolve(t);
    expect(last.winners[0]).toMatchObject({ artifact_id: 'copy', score: 0, minted: 0, reason: 'duplicate of a1' });
  });

  it('a void bid (artifact sold or deleted before resolution) is refunded in full', () => {
    const t = w();
    toolsAndBids(t, { alice: 20, bob: 10 });
    const l = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'a1', price: 0, buyer: 'carol' });
    t.ok('carol', 'genesis_escrow', 'purchase', { listing_id: l.listing_id });
    const last = resolve(t);
    expect(last.winners.map((x: { bidder: string }) => x.bidder)).toEqual(['bob']);
    expect(last.bids).toBe(1);
    expect(scrip(t, 'alice')).toBe(100);
  });

  it('resolves once: settling again, or the ticker and a command racing, mints nothing extra', () => {
    const t = w();
    tool(t, 'alice', 'a1');
    t.ok('bob', 'a1', 'run', {});
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 5 });
    resolve(t);
    const after = stateOf(t.world);
    t.world.settle();
    t.ok('carol', 'genesis_ledger', 'balance', {});
    t.world.settle();
    expect(stateOf(t.world)).toBe(after);
    expect(t.peek('genesis_event_log', 'read', { types: ['mint_resolved'] }).events).toHaveLength(1);
  });

  it('a long gap skips empty periods instead of resolving each one', () => {
    const t = w();
    t.clock.advance(10 * PERIOD + 5);
    t.world.settle();
    expect(t.peek('genesis_event_log', 'read', { types: ['mint_resolved'] }).events).toHaveLength(1);
    expect(t.peek('genesis_mint', 'status', {}).next_resolution_at).toBe(T0 + 11 * PERIOD);
  });

  it('UBI goes only to the world\'s own principals, not to wallets anyone can create', () => {
    const t = w();
    for (let i = 0; i < 5; i++) t.ok('bob', 'genesis_store', 'write', { id: `wallet${i}`, has_standing: true });
    tool(t, 'alice', 'a1');
    tool(t, 'carol', 'c1');
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 30 });
    t.ok('carol', 'genesis_mint', 'bid', { artifact_id: 'c1', amount: 9 });
    const last = resolve(t);
    expect(last).toMatchObject({ price: 9, ubi_each: 3, ubi_recipients: 3 });
    expect(scrip(t, 'wallet0')).toBe(0);
  });
});

describe('mint tie-breaks', () => {
  /** Two equal bids placed in a given order, in a world whose seed is fixed; returns the winner. */
  async function winnerWhen(order: ('alice' | 'bob')[]): Promise<string> {
    const t = await openTestWorld({ principals: ['alice', 'bob', 'carol'], config: MINT });
    try {
      t.world.store.run("UPDATE meta SET value = 'fixed-seed' WHERE key = 'seed'");
      tool(t, 'alice', 'a1');
      tool(t, 'bob', 'b1');
      for (const p of order) t.ok(p, 'genesis_mint', 'bid', { artifact_id: p === 'alice' ? 'a1' : 'b1', amount: 20 });
      return resolve(t).winners[0].bidder;
    } finally {
      await t.world.close();
    }
  }

  it('never depend on arrival order', async () => {
    expect(await winnerWhen(['alice', 'bob'])).toBe(await winnerWhen(['bob', 'alice']));
  });
});

describe('mint with the LLM scorer', () => {
  it('grades the code (not the description), mints score / ratio and pays UBI once scored', async () => {
    const llm = await fakeLlm(() => ({ status: 200, content: 'Sure! ```json\n{"score": 87, "reason": "solid"}\n```' }));
    const t = await openTestWorld({ principals: ['alice', 'bob', 'carol'], config: { mint: { ...MINT.mint, scorer: 'llm', llm: { base_url: llm.url } } } });
    try {
      t.ok('alice', 'genesis_store', 'write', codeArtifact('a1', 'export function run(){ return "graded code" }', [{ name: 'run' }], { description: 'DESCRIPTION-NOT-GRADED' }));
      tool(t, 'bob', 'b1');
      t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 40 });
      t.ok('bob', 'genesis_mint', 'bid', { artifact_id: 'b1', amount: 20 });
      const pending = resolve(t);
      expect(pending.winners[0]).toMatchObject({ bidder: 'alice', pending: true, minted: 0 });
      expect(scrip(t, 'alice')).toBe(80);
      expect(await t.world.scorePending()).toBe(1);
      expect(llm.seen[0]).toContain('graded code');
      expect(llm.seen[0]).not.toContain('DESCRIPTION-NOT-GRADED');
      const last = t.peek('genesis_mint', 'status', {}).last;
      expect(last.winners[0]).toMatchObject({ score: 87, minted: 8, pending: false });
      expect(scrip(t, 'alice')).toBe(88);
      expect(scrip(t, 'bob')).toBe(110);
      expect(scrip(t, 'carol')).toBe(110);
      expect(await t.world.scorePending()).toBe(0);
      expect(t.world.check().violations).toEqual([]);
    } finally {
      await t.world.close();
      llm.server.close();
    }
  });

  it('truncates long code to max_code_chars before grading, and clamps scores to 0-100', async () => {
    const llm = await fakeLlm(() => ({ status: 200, content: '{"score": 250, "reason": "overexcited"}' }));
    const t = await openTestWorld({ principals: ['alice', 'bob'], config: { mint: { ...MINT.mint, scorer: 'llm', llm: { base_url: llm.url, max_code_chars: 200 } } } });
    try {
      const long = `export function run(){ return 1 }\n${'// padding line\n'.repeat(40)}// TAIL-MARKER`;
      t.ok('alice', 'genesis_store', 'write', codeArtifact('a1', long, [{ name: 'run' }]));
      t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 5 });
      resolve(t);
      await t.world.scorePending();
      expect(llm.seen[0]).toContain('/* … truncated */');
      expect(llm.seen[0]).not.toContain('TAIL-MARKER');
      expect(t.peek('genesis_mint', 'status', {}).last.winners[0]).toMatchObject({ score: 100, minted: 10 });
      expect(t.world.check().violations).toEqual([]);
    } finally {
      await t.world.close();
      llm.server.close();
    }
  });

  it('reads scores out of chatty replies and refuses replies without one', () => {
    expect(parseScore('Here you go: {"score": "42", "reason": "fine"} hope that helps')).toEqual({ score: 42, reason: 'fine' });
    expect(parseScore('{"score": -7}')).toEqual({ score: 0, reason: 'graded by the LLM' });
    expect(parseScore('{"score": 66.6, "reason": 3}').score).toBe(67);
    expect(() => parseScore('I would give it a 7')).toThrow(/did not answer with JSON/);
    expect(() => parseScore('{"score": "lots"}')).toThrow(/without a numeric score/);
  });

  it('refunds the price when scoring fails (refund_on_failure)', async () => {
    const llm = await fakeLlm(() => ({ status: 500 }));
    const t = await openTestWorld({ principals: ['alice', 'bob'], config: { mint: { ...MINT.mint, scorer: 'llm', llm: { base_url: llm.url } } } });
    try {
      tool(t, 'alice', 'a1');
      tool(t, 'bob', 'b1');
      t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 40 });
      t.ok('bob', 'genesis_mint', 'bid', { artifact_id: 'b1', amount: 20 });
      resolve(t);
      await t.world.scorePending();
      const last = t.peek('genesis_mint', 'status', {}).last;
      expect(last.winners[0]).toMatchObject({ minted: 0, pending: false });
      expect(last.winners[0].reason).toMatch(/scoring failed: UPSTREAM_ERROR: The LLM endpoint answered HTTP 500/);
      expect(scrip(t, 'alice')).toBe(100);
      expect(scrip(t, 'bob')).toBe(100);
      expect(t.world.check().violations).toEqual([]);
    } finally {
      await t.world.close();
      llm.server.close();
    }
  });
});
