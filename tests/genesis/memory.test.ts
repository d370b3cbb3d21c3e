import { describe, expect, it } from 'vitest';
import { stateOf, useWorld } from '../helpers/world.ts';

describe('genesis_memory', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { principal_defaults: { disk_bytes: 5_000 } } });

  it('writes to your own private memory, charged to your disk, and finds entries by words, best first', () => {
    const t = w();
    const disk = () => t.ok('alice', 'genesis_world', 'whoami', {}).quotas.disk.used as number;
    const before = disk();
    const first = t.ok('alice', 'genesis_memory', 'write', { text: 'bob sells a fast sorting tool for 3 scrip', tags: ['tools', 'bob'] });
    expect(first).toMatchObject({ memory_id: 'alice.memory', entries: 1 });
    t.ok('alice', 'genesis_memory', 'write', { text: 'carol owes me 20 scrip, due friday', tags: ['debts'] });
    t.ok('alice', 'genesis_memory', 'write', { text: 'sorting is cheaper with the merge tool than with bubble sort' });
    expect(disk()).toBeGreaterThan(before + 3 * 64);
    const found = t.ok('alice', 'genesis_memory', 'search', { query: 'sorting tool' }).results;
    expect(found.map((r: { text: string }) => r.text)).toEqual(['bob sells a fast sorting tool for 3 scrip', 'sorting is cheaper with the merge tool than with bubble sort']);
    expect(typeof found[0].score).toBe('number');
    expect(t.ok('alice', 'genesis_memory', 'search', { tags: ['debts'] }).results.map((r: { text: string }) => r.text)).toEqual(['carol owes me 20 scrip, due friday']);
    expect(t.ok('alice', 'genesis_memory', 'search', {}).results).toHaveLength(3);
    // FTS5 syntax in a query is only words.
    for (const q of ['"sorting', 'sort* OR NEAR(a b)', 'tool AND (', "'; DROP TABLE memory_entries; --"]) expect(t.ok('alice', 'genesis_memory', 'search', { query: q }).memory_id).toBe('alice.memory');
    // Forgetting frees the entry's bytes.
    const used = disk();
    const f = t.ok('alice', 'genesis_memory', 'forget', { entry_id: first.entry_id });
    expect(disk()).toBe(used - f.freed_bytes);
    expect(t.ok('alice', 'genesis_memory', 'search', { query: 'fast' }).results).toEqual([]);
  });

  it("another principal's memory is private: bob can neither read nor write alice's; bad input changes nothing", () => {
    const t = w();
    t.ok('alice', 'genesis_memory', 'write', { text: 'my secret plan' });
    t.ok('alice', 'genesis_memory', 'write', { text: 'x'.repeat(3_000) });
    const before = stateOf(t.world);
    t.fail('bob', 'genesis_memory', 'search', { query: 'secret', memory_id: 'alice.memory' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_memory', 'write', { text: 'poison', memory_id: 'alice.memory' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_memory', 'forget', { entry_id: 1, memory_id: 'alice.memory' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_memory', 'search', { query: 'x' }, 'NOT_FOUND');
    t.fail('bob', 'genesis_memory', 'write', { text: 'x', memory_id: 'alice' }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_memory', 'write', { text: '' }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_memory', 'write', { text: 'x', tags: ['Not A Tag'] }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_memory', 'search', { query: '!!!' }, 'NOT_FOUND');
    t.fail('alice', 'genesis_memory', 'search', { query: '!!!' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_memory', 'forget', { entry_id: 999 }, 'NOT_FOUND');
    t.fail('alice', 'genesis_memory', 'write', { text: 'y'.repeat(3_000), tags: [] }, 'QUOTA_EXCEEDED');
    expect(stateOf(t.world)).toBe(before);
  });

  it('a deleted memory takes its entries with it (no unpaid rows), and writing to it again is DELETED, not an internal error', () => {
    const t = w();
    t.ok('alice', 'genesis_memory', 'write', { text: 'x'.repeat(3_000) });
    t.ok('alice', 'genesis_store', 'delete', { id: 'alice.memory' });
    expect(t.world.store.all("SELECT id FROM memory_entries WHERE memory_id = 'alice.memory'")).toEqual([]);
    const e = t.fail('alice', 'genesis_memory', 'write', { text: 'again' }, 'DELETED');
    expect(e.message).toMatch(/alice\.memory/);
    t.fail('alice', 'genesis_memory', 'search', { query: 'x' }, 'DELETED');
    expect(t.world.check().violations).toEqual([]);
  });
});
