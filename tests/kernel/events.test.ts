import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/kernel/events.ts';
import { useWorld } from '../helpers/world.ts';

describe('event log', () => {
  const w = useWorld({ principals: ['alice', 'bob'] });

  it('records typed events and filters by type, principal and artifact', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'doc', content: 'x' });
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 3 });
    t.ok('bob', 'genesis_store', 'read', { id: 'doc' });
    const written = t.peek('genesis_event_log', 'read', { types: ['artifact_written'] }).events;
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ type: 'artifact_written', principal: 'alice', artifact_id: 'doc', payload: { version: 1, kind: 'data', created: true } });
    expect(typeof written[0].command_id).toBe('string');
    const aboutDoc = t.peek('genesis_event_log', 'read', { artifact_id: 'doc' }).events.map((e: { type: string }) => e.type);
    expect(aboutDoc).toEqual(['artifact_written']);
    const bobs = t.peek('genesis_event_log', 'read', { principal: 'bob', types: ['invoke_success'] }).events;
    // Reads of genesis services change nothing and are not logged as invocations; writes are.
    expect(bobs).toEqual([]);
    const alices = t.peek('genesis_event_log', 'read', { principal: 'alice', types: ['invoke_success'] }).events;
    expect(alices.map((e: { artifact_id: string; payload: { method: string } }) => `${e.artifact_id}.${e.payload.method}`)).toEqual(['genesis_store.write', 'genesis_ledger.transfer']);
    const created = t.peek('genesis_event_log', 'read', { types: ['principal_created'] }).events;
    expect(created.map((e: { principal: string }) => e.principal)).toEqual(['alice', 'bob']);
  });

  it('follows with a cursor: no event is skipped or repeated', () => {
    const t = w();
    const seen: number[] = [];
    let cursor = 0;
    for (let round = 0; round < 4; round++) {
      t.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1 });
      for (;;) {
        const page = t.peek('genesis_event_log', 'read', { types: ['transfer'], cursor, limit: 1 });
        seen.push(...page.events.map((e: { seq: number }) => e.seq));
        cursor = page.next_cursor;
        if (!page.has_more) break;
      }
    }
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('refuses unknown event types and over-limit pages are capped', () => {
    const t = w();
    const e = t.fail('alice', 'genesis_event_log', 'read', { types: ['made_up'] }, 'INVALID_ARGS');
    expect(e.message).toMatch(/types/);
    for (let i = 0; i < 3; i++) t.ok('alice', 'genesis_ledger', 'balance', {});
    const page = t.peek('genesis_event_log', 'read', { limit: 5000 });
    expect(page.events.length).toBeLessThanOrEqual(100);
  });

  it('is append-only at the database level', () => {
    const t = w();
    expect(() => t.world.store.run("UPDATE events SET type = 'transfer'")).toThrow(/append-only/);
    expect(() => t.world.store.run('DELETE FROM events')).toThrow(/append-only/);
    expect(() => t.world.store.run('DELETE FROM journal')).toThrow(/append-only/);
  });

  it('the closed union lists every type once', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
  });
});

describe('filtered event reads scan a bounded window', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { limits: { max_event_scan: 100 } } });

  it('a rare match far past the cursor is reached by following has_more, skipping nothing', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'early', content: 'x' });
    // Each transfer logs two events; 150 of them put the next write ~300 events past the first.
    for (let i = 0; i < 150; i++) t.ok(i % 2 ? 'bob' : 'alice', 'genesis_ledger', 'transfer', { to: i % 2 ? 'alice' : 'bob', amount: 1 });
    t.ok('alice', 'genesis_store', 'write', { id: 'late', content: 'x' });
    const first = t.peek('genesis_event_log', 'read', { types: ['artifact_written'] });
    expect(first.events.map((e: { artifact_id: string }) => e.artifact_id)).toEqual(['early']);
    expect(first.has_more).toBe(true);
    const found: string[] = ['early'];
    let cursor = first.next_cursor;
    let calls = 1;
    for (;;) {
      const page = t.peek('genesis_event_log', 'read', { types: ['artifact_written'], cursor });
      found.push(...page.events.map((e: { artifact_id: string }) => e.artifact_id));
      expect(page.next_cursor).toBeGreaterThan(cursor);
      cursor = page.next_cursor;
      calls++;
      if (!page.has_more) break;
    }
    expect(found).toEqual(['early', 'late']);
    // A window is at most 100 events, so crossing ~300 took several calls, each of them cheap.
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(t.peek('genesis_event_log', 'read', { types: ['artifact_written'], cursor })).toMatchObject({ events: [], has_more: false });
  });

  it('an unfiltered read is never cut short by the window', () => {
    const t = w();
    for (let i = 0; i < 80; i++) t.ok(i % 2 ? 'bob' : 'alice', 'genesis_ledger', 'transfer', { to: i % 2 ? 'alice' : 'bob', amount: 1 });
    const page = t.peek('genesis_event_log', 'read', { cursor: 0, limit: 100 });
    expect(page.events).toHaveLength(100);
    expect(page.has_more).toBe(true);
    expect(page.next_cursor).toBe(page.events[99].seq);
  });

  it('at the end of the log a filtered read says there is no more', () => {
    const t = w();
    for (let i = 0; i < 5; i++) t.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1 });
    const page = t.peek('genesis_event_log', 'read', { types: ['artifact_deleted'] });
    expect(page).toMatchObject({ events: [], has_more: false, next_cursor: 0 });
  });
});
