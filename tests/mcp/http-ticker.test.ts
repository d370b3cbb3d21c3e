import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/kernel/clock.ts';
import { World } from '../../src/world.ts';
import { startHttp } from '../../src/mcp/http.ts';

/** `serve` is the world's host: its ticker settles due work even when no command arrives to do it lazily. */
describe('HTTP host background ticker', () => {
  it('settles scheduled work that falls due while nobody calls', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const world = await World.open({ clock });
    const settled: string[] = [];
    world.kernel.scheduler.register('test_tick', (_ctx, payload) => settled.push((payload as { n: string }).n));
    world.kernel.store.writeTx(() => world.kernel.scheduler.schedule('wake', 'test_tick', clock.now() + 1_000, { n: 'wake' }));
    const http = await startHttp(world, { port: 0, host: '127.0.0.1', tickMs: 20 });
    try {
      // Not yet due: the ticker runs but leaves it.
      await new Promise((r) => setTimeout(r, 100));
      expect(settled).toEqual([]);
      clock.advance(1_000);
      while (settled.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(settled).toEqual(['wake']);
      expect(world.kernel.scheduler.dueAt('wake')).toBeNull();
    } finally {
      await http.close();
      expect(world.check().violations).toEqual([]);
      await world.close();
    }
  });
});
