/**
 * Red team: discovery (store_search, resources/list) shows only what contracts let a caller see
 * (Door.canSee). These tests read private metadata anyway.
 */
import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld, type TestWorld } from '../helpers/world.ts';

/** How many of alice's artifacts eve cannot see match `query`: store_search's cursor counts them. */
function hiddenMatches(t: TestWorld, query: string): number {
  for (;;) {
    const r = t.call('eve', 'genesis_store', 'search', { query, principal: 'alice', limit: 20 });
    // Within eve's own calls window: when it is spent, she waits for it to roll forward.
    if (!r.ok && r.error.code === 'RATE_LIMITED') {
      t.clock.advance(r.error.retry_after_ms ?? 60_000);
      continue;
    }
    if (!r.ok) throw new Error(r.error.message);
    const v = r.value as { results: unknown[]; next_cursor: number };
    return v.next_cursor - v.results.length;
  }
}

describe('red team: the search cursor is an oracle on hidden artifacts', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it("eve spells out a word of alice's private description by prefix queries", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'plans', access_contract_id: 'genesis_contract_private', description: 'merger target zq7kxa announce friday', content: 'the details' });
    // eve sees nothing of it.
    expect(t.ok('eve', 'genesis_store', 'search', { principal: 'alice' }).results.map((r: any) => r.id)).toEqual(['alice']);
    t.fail('eve', 'genesis_store', 'info', { id: 'plans' }, 'ACCESS_DENIED');
    // But the cursor moves past what she may not see: a depth-first walk over prefixes spells out every word.
    const alphabet = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
    const words: string[] = [];
    const walk = (prefix: string): void => {
      const longer = alphabet.map((c) => prefix + c).filter((p) => hiddenMatches(t, p) > 0);
      if (longer.length === 0) words.push(prefix);
      for (const p of longer) walk(p);
    };
    walk('');
    console.log('eve recovered', words);
    // Safe: nothing about artifacts eve may not discover can be learned from a search.
    expect(words).not.toContain('zq7kxa');
  });

  it('a deleted private artifact is listed, with its methods, by any search matching its old description', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('quiet', 'export function launch_codes_for_sale(){ return 1 }', [{ name: 'launch_codes_for_sale', price: 777 }], {
      access_contract_id: 'genesis_contract_private',
      description: 'secret buyer zebrafish',
    }));
    expect(t.ok('eve', 'genesis_store', 'search', { query: 'zebrafish', include_deleted: true }).results).toEqual([]);
    t.ok('alice', 'genesis_store', 'delete', { id: 'quiet' });
    const found = t.ok('eve', 'genesis_store', 'search', { query: 'zebrafish', include_deleted: true }).results;
    console.log(found);
    // Safe: a tombstone keeps no private metadata for strangers: not findable by its old words, no interface.
    expect(found).toEqual([]);
  });
});

describe("red team: the public event log publishes callers' error messages", () => {
  const w = useWorld({ principals: ['alice', 'bob', 'eve'] });

  it("an honest tool's error echoing alice's argument is readable by everyone through events_read", () => {
    const t = w();
    const code = 'const ACCOUNTS = { "acct-1": 10 }; export function balance(a){ if (!(a.account in ACCOUNTS)) throw new Error("unknown account " + a.account); return ACCOUNTS[a.account] }';
    t.ok('bob', 'genesis_store', 'write', codeArtifact('bank', code, [{ name: 'balance' }]));
    // alice pastes the wrong secret into the tool.
    t.call('alice', 'bank', 'balance', { account: 'alice-wallet-seed-horse-battery-staple' });
    const seen = t.ok('eve', 'genesis_event_log', 'read', { types: ['invoke_failure'], principal: 'alice' }).events;
    console.log(seen.map((e: any) => e.payload));
    // Safe: what a call's error says goes to its caller, not to the world.
    expect(JSON.stringify(seen)).not.toMatch(/horse-battery-staple/);
  });
});
