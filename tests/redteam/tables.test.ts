/**
 * Red team: shared tables with a per-principal limit but a global cap. The threat model gives an
 * attacker "any number of principals the operator created for it"; with enough of them it fills the
 * table and every other principal is refused.
 *
 * - 2025-era sessions: 8 per principal, 1,000 in all: 125 principals fill it; the next principal gets
 *   503 for up to the 30-minute idle timeout, renewed by any request on each session.
 * - 2026-era subscriptions/listen: 8 per principal (ours), 1,024 in all (the SDK's listen router
 *   default, which the server does not set): 128 principals fill it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { World } from '../../src/world.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import type { HybridHandler } from '../../src/mcp/hybrid.ts';

const ATTACKERS = 128;

describe('red team: filling the shared session and stream tables with many principals', () => {
  let world: World;
  let handler: HybridHandler;
  const clients: Client[] = [];
  beforeAll(async () => {
    world = await World.open({ sandbox: 'own' });
    for (let i = 0; i < ATTACKERS; i++) expect(world.createPrincipal(`eve${i}`).ok).toBe(true);
    expect(world.createPrincipal('alice').ok).toBe(true);
    handler = worldHandler(world);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await handler.close();
    const report = world.check();
    await world.close();
    expect(report.violations).toEqual([]);
  });

  it('125 principals x 8 sessions do not lock another principal out of 2025-era sessions', async () => {
    for (let i = 0; i < 125; i++) {
      for (let k = 0; k < 8; k++) clients.push(await connectInProcess(handler, `eve${i}`, { era: 'legacy' }));
    }
    expect(handler.sessionCount).toBe(1000);
    let refusal = '';
    const alice = await connectInProcess(handler, 'alice', { era: 'legacy' }).catch((e: Error) => {
      refusal = e.message;
      return null;
    });
    if (alice) clients.push(alice);
    // Measured here: alice is refused (503, "maximum of 1000 2025-era sessions").
    expect(refusal).toBe('');
  });

  it('128 principals x 8 listen streams do not lock another principal out of change notifications', async () => {
    world.invoke('alice', 'genesis_store', 'write', { id: 'doc', content: 'v1' });
    const streams: { close(): Promise<void> }[] = [];
    try {
      for (let i = 0; i < ATTACKERS; i++) {
        const c = await connectInProcess(handler, `eve${i}`);
        clients.push(c);
        for (let k = 0; k < 8; k++) streams.push(await c.listen({ resourceSubscriptions: ['artifact://doc'] }));
      }
      const alice = await connectInProcess(handler, 'alice');
      clients.push(alice);
      let refusal = '';
      const mine = await alice.listen({ resourceSubscriptions: ['artifact://doc'] }).catch((e: Error) => {
        refusal = e.message;
        return null;
      });
      if (mine) streams.push(mine);
      // Measured here: alice is refused ("Subscription limit reached", the SDK's 1,024 in all).
      expect(refusal).toBe('');
    } finally {
      await Promise.all(streams.map((s) => s.close().catch(() => {})));
    }
  });
});
