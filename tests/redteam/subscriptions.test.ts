/**
 * Red team: what one connection may pin in the host's memory. A 2025-era session may watch 1,000 URIs,
 * but each URI may be any string up to the 2 MiB message limit and is kept for the session's life:
 * 8 sessions x 1,000 x 2 MB = 16 GB for one principal, against a ~4.3 GB heap
 * (bench/redteam-subscribe-oom.ts runs it against a real server). Subscribing costs no call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../../src/world.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import type { HybridHandler } from '../../src/mcp/hybrid.ts';

describe('red team: 2025-era subscriptions as a memory bomb', () => {
  let world: World;
  let handler: HybridHandler;
  beforeAll(async () => {
    world = await World.open({ sandbox: 'own', config: { principal_defaults: { calls: 5 } } });
    expect(world.createPrincipal('eve').ok).toBe(true);
    handler = worldHandler(world);
  });
  afterAll(async () => {
    await handler.close();
    const report = world.check();
    await world.close();
    expect(report.violations).toEqual([]);
  });

  it('one session cannot pin more than a few megabytes of subscribed URIs', async () => {
    const eve = await connectInProcess(handler, 'eve', { era: 'legacy' });
    try {
      const tail = 'x'.repeat(1_500_000);
      let accepted = 0;
      for (let i = 0; i < 20; i++) {
        try {
          await eve.subscribeResource({ uri: `artifact://a${i}-${tail}` });
          accepted++;
        } catch {
          // refused: the safe outcome
        }
      }
      const pinnedMb = (accepted * tail.length) / 1e6;
      // Measured here: all 20 accepted (30 MB pinned by one session, with a 5-call window untouched).
      expect(pinnedMb, `${accepted} URIs of 1.5 MB accepted`).toBeLessThan(4);
    } finally {
      await eve.close();
    }
  });
});
