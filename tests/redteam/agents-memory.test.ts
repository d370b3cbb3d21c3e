import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';

const ENDPOINTS = { local: { base_url: 'http://127.0.0.1:9/v1', model: 'm' } };
const CONFIG = { llm: { endpoints: ENDPOINTS, default_endpoint: 'local' }, principal_defaults: { disk_bytes: 20_000 } };

function entriesBytes(t: ReturnType<ReturnType<typeof useWorld>>, memoryId: string): number {
  return t.world.store.one<{ n: number }>('SELECT COALESCE(SUM(size_bytes), 0) AS n FROM memory_entries WHERE memory_id = ?', memoryId)!.n;
}
function sizeOf(t: ReturnType<ReturnType<typeof useWorld>>, id: string): number {
  return t.world.store.one<{ size_bytes: number }>('SELECT size_bytes FROM artifacts WHERE id = ?', id)!.size_bytes;
}
function diskUsed(t: ReturnType<ReturnType<typeof useWorld>>, p: string): number {
  return t.world.store.one<{ disk_used: number }>('SELECT disk_used FROM principals WHERE id = ?', p)!.disk_used;
}

describe('red team: memory disk accounting', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: CONFIG });

  it('artifact_write over a memory keeps its entries charged (no free storage)', () => {
    const t = w();
    for (let i = 0; i < 4; i++) t.ok('alice', 'genesis_memory', 'write', { text: `entry ${i} ` + 'x'.repeat(3_000) });
    const stored = entriesBytes(t, 'alice.memory');
    expect(sizeOf(t, 'alice.memory')).toBeGreaterThanOrEqual(stored);
    // Rewrite the memory artifact's (empty) content through the store.
    t.ok('alice', 'genesis_store', 'write', { id: 'alice.memory', content: 'x' });
    // SAFE: the entries' bytes are still counted in the memory's size and the owner's disk.
    expect(sizeOf(t, 'alice.memory'), 'memory size after artifact_write').toBeGreaterThanOrEqual(stored);
  });

  it('artifact_write cannot be used to store more memory entries than the disk quota allows', () => {
    const t = w();
    const quota = t.peek('genesis_ledger', 'balance', { principal: 'alice' }).balances.disk_bytes as number;
    // Fill to the quota with entries, then "touch" the memory through the store, which drops the entries' bytes.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        const r = t.call('alice', 'genesis_memory', 'write', { text: `round ${round} entry ${i} ` + 'x'.repeat(3_500) });
        if (!r.ok) break;
      }
      t.ok('alice', 'genesis_store', 'write', { id: 'alice.memory', content: `touch ${round}` });
    }
    const stored = entriesBytes(t, 'alice.memory');
    expect(stored, `alice holds ${stored} bytes of memory entries with a disk quota of ${quota} (disk_used=${diskUsed(t, 'alice')})`).toBeLessThanOrEqual(quota);
  });

  it('forget after an artifact_write does not fail with an internal error (CHECK disk_used >= 0)', () => {
    const t = w();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(t.ok('alice', 'genesis_memory', 'write', { text: `entry ${i} ` + 'x'.repeat(3_000) }).entry_id);
    t.ok('alice', 'genesis_store', 'write', { id: 'alice.memory', content: 'x' });
    const r = t.call('alice', 'genesis_memory', 'forget', { entry_id: ids[0] });
    if (!r.ok) expect(r.error.code, r.error.message).not.toBe('INTERNAL');
  });

  it('changing a memory to kind data keeps its entries charged (or is refused)', () => {
    const t = w();
    for (let i = 0; i < 3; i++) t.ok('alice', 'genesis_memory', 'write', { text: 'z'.repeat(3_000) });
    const stored = entriesBytes(t, 'alice.memory');
    const r = t.call('alice', 'genesis_store', 'write', { id: 'alice.memory', kind: 'data' });
    if (r.ok) expect(sizeOf(t, 'alice.memory')).toBeGreaterThanOrEqual(stored);
  });

  it('deleting a memory artifact removes its entries (no uncharged rows left behind)', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'alice.m1', kind: 'memory', access_contract_id: 'genesis_contract_private' });
    for (let i = 0; i < 4; i++) t.ok('alice', 'genesis_memory', 'write', { memory_id: 'alice.m1', text: 'secret ' + 'q'.repeat(3_000) });
    t.ok('alice', 'genesis_store', 'delete', { id: 'alice.m1' });
    expect(entriesBytes(t, 'alice.m1'), 'bytes of entries left in memory_entries for a deleted memory').toBe(0);
  });

  it('deleting your default memory does not lock you out of memory_write with an internal error', () => {
    const t = w();
    t.ok('alice', 'genesis_memory', 'write', { text: 'hello' });
    t.ok('alice', 'genesis_store', 'delete', { id: 'alice.memory' });
    const r = t.call('alice', 'genesis_memory', 'write', { text: 'again' });
    if (!r.ok) expect(r.error.code, r.error.message).not.toBe('INTERNAL');
  });

  it('a memory artifact written by store (kind memory) by bob cannot be aimed at alice', () => {
    const t = w();
    t.fail('bob', 'genesis_store', 'write', { id: 'alice.memory', kind: 'memory' }, 'ACCESS_DENIED');
    t.ok('bob', 'genesis_store', 'write', { id: 'bob.trap', kind: 'memory', access_contract_id: 'genesis_contract_freeware' });
    t.fail('bob', 'genesis_store', 'transfer', { id: 'bob.trap', to: 'alice' }, 'ACCESS_DENIED');
  });

  it('transferring a memory with entries moves all its bytes; forget afterwards stays consistent', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { disk_bytes: 9_000, calls: 20 } });
    for (let i = 0; i < 2; i++) t.ok('alice', 'genesis_memory', 'write', { text: 'w'.repeat(2_000) });
    const first = t.ok('alice', 'genesis_memory', 'write', { text: 'last' }).entry_id;
    t.ok('alice', 'genesis_store', 'transfer', { id: 'alice.memory', to: 'scout' });
    expect(sizeOf(t, 'alice.memory')).toBeGreaterThanOrEqual(entriesBytes(t, 'alice.memory'));
    t.ok('scout', 'genesis_memory', 'forget', { memory_id: 'alice.memory', entry_id: first });
    expect(sizeOf(t, 'alice.memory')).toBeGreaterThanOrEqual(entriesBytes(t, 'alice.memory'));
    // alice can no longer read what she gave away
    t.fail('alice', 'genesis_memory', 'search', {}, 'ACCESS_DENIED');
  });

  it('fts and tag filters are only words: no cross-memory leakage', () => {
    const t = w();
    t.ok('alice', 'genesis_memory', 'write', { text: 'alice secret password hunter2', tags: ['abc'] });
    t.ok('bob', 'genesis_memory', 'write', { text: 'bob note' });
    for (const q of ['secret', 'memory_id:alice', '* OR secret', 'text:secret', '" OR 1=1 --', 'hunter2']) {
      const r = t.call('bob', 'genesis_memory', 'search', { query: q });
      if (r.ok) expect(JSON.stringify(r.value)).not.toContain('hunter2');
    }
    const r = t.call('bob', 'genesis_memory', 'search', { tags: ['a_c'] });
    if (r.ok) expect(JSON.stringify(r.value)).not.toContain('hunter2');
    // Within your own memory, '_' in a tag should not be a LIKE wildcard.
    expect(t.ok('alice', 'genesis_memory', 'search', { tags: ['a_c'] }).results, "tag 'a_c' matched tag 'abc'").toEqual([]);
  });
});
