import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentHost } from '../../src/agents/host.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { World } from '../../src/world.ts';
import type { HybridHandler } from '../../src/mcp/hybrid.ts';

/**
 * Regression: a crowd of one principal's agents, asleep or frozen for good, must not keep another's agent
 * from waking. The wake check looked at the first 200 sleepers (longest asleep) and the first 200 frozen
 * agents (by id) only, so eve's 205 agents kept alice's asleep and frozen forever.
 */
describe('wake starvation', () => {
  let world: World;
  let handler: HybridHandler;
  let host: AgentHost;

  beforeEach(async () => {
    world = await World.open({
      config: {
        principal_defaults: { disk_bytes: 100_000_000, calls: 100_000, llm_budget_micro_usd: 10_000_000 },
        llm: { default_endpoint: 'local', endpoints: { local: { base_url: 'http://127.0.0.1:9/v1', model: 'm', input_micro_usd_per_1k: 1, output_micro_usd_per_1k: 1 } } },
      },
    });
    for (const p of ['alice', 'eve', 'bob']) world.createPrincipal(p);
    for (let i = 0; i < 205; i++) expect(world.invoke('eve', 'genesis_agents', 'spawn', { id: `a${String(i).padStart(3, '0')}`, goal: 'crowd', fund: { calls: 10 } }).ok).toBe(true);
    expect(world.invoke('alice', 'genesis_agents', 'spawn', { id: 'zed', goal: 'wait', fund: { calls: 10 } }).ok).toBe(true);
    handler = worldHandler(world);
    host = new AgentHost(world, handler);
  });
  afterEach(async () => {
    await host.stop();
    await handler.close();
    const report = world.check();
    await world.close();
    expect(report.violations).toEqual([]);
  });

  const state = (id: string) => (world.invoke('genesis_operator', 'genesis_agents', 'list', { id }) as { value: { agents: { state: string }[] } }).value.agents[0]!.state;
  const checkWakes = (unfreeze: { id: string; min_budget_micro_usd: number }[] = []) => world.invoke('genesis_operator', 'genesis_agents', 'check_wakes', { unfreeze });

  it("205 of eve's agents asleep for an event that never comes do not keep alice's from waking on hers", () => {
    for (let i = 0; i < 205; i++) expect(world.invoke(`a${String(i).padStart(3, '0')}`, 'genesis_agents', 'sleep', { until_event: { type: 'transfer', artifact: 'nobody' } }).ok).toBe(true);
    expect(world.invoke('zed', 'genesis_agents', 'sleep', { until_event: { type: 'transfer', artifact: 'zed' } }).ok).toBe(true);
    expect(world.invoke('bob', 'genesis_ledger', 'transfer', { to: 'zed', amount: 1 }).ok).toBe(true);
    for (let i = 0; i < 3 && state('zed') !== 'running'; i++) expect(checkWakes().ok).toBe(true);
    expect(state('zed')).toBe('running');
  });

  it("205 of eve's agents frozen for good do not keep alice's rescued agent frozen", async () => {
    for (const id of [...Array.from({ length: 205 }, (_, i) => `a${String(i).padStart(3, '0')}`), 'zed']) {
      expect(world.invoke('genesis_operator', 'genesis_agents', 'freeze', { id, needed_micro_usd: 1_000_000 }).ok).toBe(true);
    }
    // eve's agents hold nothing; bob gives alice's plenty.
    expect(world.invoke('bob', 'genesis_rights', 'transfer', { to: 'zed', resource: 'llm_budget_micro_usd', amount: 5_000_000 }).ok).toBe(true);
    await host.tick();
    expect(state('zed')).toBe('running');
    expect(state('a000')).toBe('frozen');
  });
});
