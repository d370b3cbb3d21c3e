import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';

/** Lazy settlement: the first command at or after an item's due time settles it, once, oldest first. */
describe('scheduler', () => {
  const w = useWorld({ principals: ['alice'] });

  function setUp(): string[] {
    const { world } = w();
    const settled: string[] = [];
    world.kernel.scheduler.register('test_tick', (_ctx, payload) => settled.push((payload as { n: string }).n));
    return settled;
  }
  const schedule = (items: [id: string, kind: string, dueAt: number][]) => {
    const { world } = w();
    world.kernel.store.writeTx(() => {
      for (const [id, kind, dueAt] of items) world.kernel.scheduler.schedule(id, kind, dueAt, { n: id });
    });
  };
  const pending = () => w().world.kernel.store.all<{ id: string }>('SELECT id FROM scheduled ORDER BY id').map((r) => r.id);

  it('a command settles what is due before it acts, oldest first, and leaves what is not yet due', () => {
    const settled = setUp();
    const { clock } = w();
    const now = clock.now();
    schedule([
      ['late', 'test_tick', now + 60_000],
      ['second', 'test_tick', now + 2_000],
      ['first', 'test_tick', now + 1_000],
    ]);
    w().ok('alice', 'genesis_ledger', 'balance');
    expect(settled).toEqual([]);
    clock.advance(5_000);
    w().ok('alice', 'genesis_ledger', 'balance');
    expect(settled).toEqual(['first', 'second']);
    w().ok('alice', 'genesis_ledger', 'balance');
    expect(settled).toEqual(['first', 'second']);
    expect(pending().filter((id) => ['first', 'second', 'late'].includes(id))).toEqual(['late']);
  });

  it('a command settles one batch, oldest first; the ticker settles the rest, a batch per transaction', () => {
    const settled = setUp();
    const { clock } = w();
    const now = clock.now();
    const ids = Array.from({ length: 130 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    schedule(ids.map((id, i) => [id, 'test_tick', now + 1 + i]));
    clock.advance(1_000);
    // Others' scheduled work cannot make one command arbitrarily slow: it does at most 50.
    w().ok('alice', 'genesis_ledger', 'balance');
    expect(settled).toEqual(ids.slice(0, 50));
    expect(w().world.settle()).toBe(80);
    expect(settled).toEqual(ids);
  });

  it('an item of a kind this build cannot settle waits, and does not hold back the kinds it can', () => {
    const settled = setUp();
    const { clock } = w();
    const now = clock.now();
    schedule([
      ['foreign', 'test_from_a_newer_build', now + 1],
      ['mine', 'test_tick', now + 2],
    ]);
    clock.advance(1_000);
    w().ok('alice', 'genesis_ledger', 'balance');
    expect(settled).toEqual(['mine']);
    expect(pending()).toContain('foreign');
    // It is not an inconsistency: useWorld's invariant checker runs after this with the item still waiting.
  });
});
