import { describe, expect, it } from 'vitest';
import { T0, codeArtifact, useWorld } from '../helpers/world.ts';

const ids = (r: { results: { id: string }[] }) => r.results.map((x) => x.id);

describe('store_search', () => {
  const w = useWorld({ principals: ['alice', 'bob'] });

  it('finds by words in id, description and interface, with prefixes, and filters', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('weather_tool', 'export function forecast(){ return "sun" }', [{ name: 'forecast', price: 2 }], { description: 'Predicts rain and sunshine' }));
    t.ok('alice', 'genesis_store', 'write', { id: 'rain_notes', content: 'x', description: 'Notes about rain' });
    t.ok('bob', 'genesis_store', 'write', { id: 'poems', kind: 'doc', content: 'x', description: 'Short poems' });
    expect(ids(t.ok('bob', 'genesis_store', 'search', { query: 'rain' })).sort()).toEqual(['rain_notes', 'weather_tool']);
    expect(ids(t.ok('bob', 'genesis_store', 'search', { query: 'forec' }))).toEqual(['weather_tool']);
    expect(ids(t.ok('bob', 'genesis_store', 'search', { query: 'rain', can_execute: true }))).toEqual(['weather_tool']);
    expect(ids(t.ok('bob', 'genesis_store', 'search', { kind: 'doc' }))).toEqual(['poems']);
    expect(ids(t.ok('bob', 'genesis_store', 'search', { principal: 'alice', sort: 'id' }))).toEqual(['alice', 'rain_notes', 'weather_tool']);
    const principals = ids(t.ok('bob', 'genesis_store', 'search', { has_standing: true, query: 'alice' }));
    expect(principals).toEqual(['alice']);
    const tool = t.ok('bob', 'genesis_store', 'search', { query: 'weather' }).results[0];
    expect(tool.methods).toEqual([{ name: 'forecast', price: 2 }]);
    expect(tool).not.toHaveProperty('content');
  });

  it('never shows artifacts the caller may not see, nor their words', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'diary', content: 'secret', description: 'my private password list', access_contract_id: 'genesis_contract_private' });
    expect(ids(t.ok('bob', 'genesis_store', 'search', { query: 'password' }))).toEqual([]);
    expect(ids(t.ok('alice', 'genesis_store', 'search', { query: 'password' }))).toEqual(['diary']);
  });

  it('treats query text as words, not FTS syntax', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'q', content: 'x', description: 'quotes and stars' });
    for (const q of ['"unbalanced', 'NEAR(', 'a OR', '*', 'col:x', ')(']) {
      expect(t.call('bob', 'genesis_store', 'search', { query: q }).ok, q).toBe(true);
    }
  });

  it('pages with a cursor and sorts by usage', () => {
    const t = w();
    for (let i = 0; i < 7; i++) t.ok('alice', 'genesis_store', 'write', codeArtifact(`tool${i}`, 'export function f(){ return 1 }', [{ name: 'f' }]));
    for (let i = 0; i < 3; i++) t.ok('bob', 'tool5', 'f', {});
    t.ok('bob', 'tool2', 'f', {});
    const all: string[] = [];
    let cursor = 0;
    for (;;) {
      const page = t.ok('bob', 'genesis_store', 'search', { kind: 'code', principal: 'alice', sort: 'id', limit: 3, cursor });
      all.push(...ids(page));
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    expect(all).toEqual(['tool0', 'tool1', 'tool2', 'tool3', 'tool4', 'tool5', 'tool6']);
    expect(ids(t.ok('bob', 'genesis_store', 'search', { kind: 'code', principal: 'alice', sort: 'invocations', limit: 2 }))).toEqual(['tool5', 'tool2']);
  });

  it('exposes the invocation registry and sorts by paying invokers and last use', () => {
    const t = w();
    const priced = (id: string) => codeArtifact(id, 'export function f(){ return 1 }', [{ name: 'f', price: 2 }]);
    for (const id of ['a1', 'a2', 'a3']) t.ok('alice', 'genesis_store', 'write', priced(id));
    t.ok('bob', 'a1', 'f', {});
    t.clock.advance(1_000);
    t.ok('alice', 'a2', 'f', {}); // the owner pays nothing, so is no paying invoker
    t.ok('alice', 'a2', 'f', {});
    t.clock.advance(1_000);
    t.ok('bob', 'a3', 'f', {});
    const byPaying = t.ok('bob', 'genesis_store', 'search', { principal: 'alice', kind: 'code', sort: 'paying_invokers' });
    expect(ids(byPaying)).toEqual(['a1', 'a3', 'a2']);
    expect(byPaying.results[2].stats).toEqual({ invocations: 2, successes: 2, failures: 0, success_rate: 1, distinct_invokers: 1, distinct_paying_invokers: 0, last_invoked_at: T0 + 1_000 });
    expect(ids(t.ok('bob', 'genesis_store', 'search', { principal: 'alice', kind: 'code', sort: 'last_used' }))).toEqual(['a3', 'a2', 'a1']);
    expect(t.ok('bob', 'genesis_store', 'info', { id: 'a1' }).stats).toMatchObject({ invocations: 1, distinct_paying_invokers: 1, last_invoked_at: T0 });
  });

  it('finds agents, with their heartbeat, most recently active first', () => {
    const t = w();
    t.ok('alice', 'genesis_ledger', 'balance', {});
    t.clock.advance(5_000);
    t.ok('bob', 'genesis_ledger', 'balance', {});
    const agents = t.peek('genesis_store', 'search', { kind: 'agent', sort: 'last_action' }).results;
    expect(agents.map((a: { id: string; last_action_at?: number }) => [a.id, a.last_action_at])).toEqual([
      ['bob', T0 + 5_000],
      ['alice', T0],
    ]);
    expect(t.peek('genesis_store', 'info', { id: 'alice' }).last_action_at).toBe(T0);
    // Artifacts without standing have no heartbeat.
    t.ok('alice', 'genesis_store', 'write', { id: 'doc', content: 'x' });
    expect(t.ok('bob', 'genesis_store', 'info', { id: 'doc' })).not.toHaveProperty('last_action_at');
  });

  it('lists the genesis services like any other artifact', () => {
    const t = w();
    const found = ids(t.ok('bob', 'genesis_store', 'search', { query: 'ledger', can_execute: true }));
    expect(found).toContain('genesis_ledger');
    const info = t.ok('bob', 'genesis_store', 'info', { id: 'genesis_ledger' });
    expect(info.interface.map((m: { name: string }) => m.name)).toEqual(['balance', 'transfer', 'history', 'approve', 'transfer_from']);
  });

  it('refuses bad search input', () => {
    const t = w();
    t.fail('bob', 'genesis_store', 'search', { query: 'x'.repeat(201) }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_store', 'search', { kind: 'spaceship' }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_store', 'search', { cursor: -1 }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_store', 'search', { sort: 'random' }, 'INVALID_ARGS');
  });
});
