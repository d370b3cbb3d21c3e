import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { callError, callOk } from '../helpers/mcp.ts';
import { openTestWorld, type TestWorld } from '../helpers/world.ts';
import type { HybridHandler } from '../../src/mcp/hybrid.ts';

describe('in-process connection (what hosted agents use)', () => {
  let t: TestWorld;
  let handler: HybridHandler;

  beforeAll(async () => {
    t = await openTestWorld({ principals: ['agent_a', 'agent_b'] });
    handler = worldHandler(t.world);
  });
  afterAll(async () => {
    await handler.close();
    expect(t.world.check().violations).toEqual([]);
    await t.world.close();
  });

  it.each(['auto', 'legacy'] as const)('gives each agent its own identity, with no socket (%s)', async (era) => {
    const a = await connectInProcess(handler, 'agent_a', { era });
    const b = await connectInProcess(handler, 'agent_b', { era });
    try {
      expect((await callOk(a, 'world_whoami')).principal).toBe('agent_a');
      expect((await callOk(b, 'world_whoami')).principal).toBe('agent_b');
      await callOk(a, 'ledger_transfer', { to: 'agent_b', amount: 1 });
      const bal = await callOk(b, 'ledger_balance', { principal: 'agent_a' });
      expect(bal.balances.scrip).toBeLessThan(100);
      expect((await callError(b, 'artifact_write', { id: 'agent_a', description: 'hijack' })).code).toBe('ACCESS_DENIED');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses an unknown principal at the kernel, not just at the edge', async () => {
    const ghost = await connectInProcess(handler, 'ghost');
    try {
      expect((await callError(ghost, 'world_whoami', {})).code).toBe('NOT_FOUND');
    } finally {
      await ghost.close();
    }
  });
});
