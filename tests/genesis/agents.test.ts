import { describe, expect, it } from 'vitest';
import { stateOf, useWorld } from '../helpers/world.ts';

const ENDPOINTS = { local: { base_url: 'http://127.0.0.1:9/v1', model: 'stand-in' } };

describe('genesis_agents: spawning hosted agents', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { llm: { endpoints: ENDPOINTS, default_endpoint: 'local' } } });

  it('spawn funds the agent from the spawner (never new money) and keeps its config private to its owner', () => {
    const t = w();
    const before = t.peek('genesis_ledger', 'balance', { principal: 'alice' }).balances;
    const r = t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'Find useful tools and resell them', fund: { scrip: 30, llm_budget_micro_usd: 50_000, llm_tokens: 20_000, calls: 100 } });
    expect(r).toEqual({ agent: 'scout', memory_id: 'scout.memory', model: 'local', funded: { disk_bytes: 20_000, scrip: 30, llm_budget_micro_usd: 50_000, llm_tokens: 20_000, calls: 100 } });
    const after = t.peek('genesis_ledger', 'balance', { principal: 'alice' }).balances;
    const agent = t.peek('genesis_ledger', 'balance', { principal: 'scout' }).balances;
    for (const [asset, n] of Object.entries(r.funded) as [string, number][]) {
      expect(after[asset] + n, asset).toBe(before[asset]);
      expect(agent[asset], asset).toBe(n);
    }
    // The agent is a principal of its own, owned by alice; its config is its artifact's content, private.
    expect(t.ok('scout', 'genesis_world', 'whoami', {}).principal).toBe('scout');
    const info = t.ok('alice', 'genesis_store', 'read', { id: 'scout' });
    expect(JSON.parse(info.content)).toEqual({ goal: 'Find useful tools and resell them', model: 'local' });
    t.fail('bob', 'genesis_store', 'read', { id: 'scout' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_store', 'read', { id: 'scout.memory' }, 'ACCESS_DENIED');
    const s = t.ok('alice', 'genesis_agents', 'status', { id: 'scout' });
    expect(s).toMatchObject({ id: 'scout', owner: 'alice', state: 'running', llm_budget_micro_usd: 50_000, llm_tokens_left: 20_000, steps: 0, memory_id: 'scout.memory' });
    expect(t.ok('scout', 'genesis_agents', 'status', { id: 'scout' }).state).toBe('running');
    t.fail('bob', 'genesis_agents', 'status', { id: 'scout' }, 'ACCESS_DENIED');
  });

  it('refuses bad spawns with a clear error, changing nothing', () => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'rich', goal: 'g', fund: { scrip: 1_000_000 } }, 'INSUFFICIENT_FUNDS');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'tok', goal: 'g', fund: { llm_tokens: 10_000_000 } }, 'INSUFFICIENT_FUNDS');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'm', goal: 'g', model: 'gpt-99' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'bob', goal: 'g' }, 'CONFLICT');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'genesis_x', goal: 'g' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'bob.spy', goal: 'g' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'x', goal: '' }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'x', goal: 'g', fund: { gold: 5 } }, 'INVALID_ARGS');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'x', goal: 'g', as: 'bob' }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });

  it('sleep is for hosted agents; a timed sleep wakes at its time; the owner may wake it early', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'napper', goal: 'rest', fund: { calls: 50 } });
    t.fail('alice', 'genesis_agents', 'sleep', { until_s: 10 }, 'INVALID_ARGS');
    t.fail('napper', 'genesis_agents', 'sleep', {}, 'INVALID_ARGS');
    t.fail('napper', 'genesis_agents', 'sleep', { until_event: {} }, 'INVALID_ARGS');
    expect(t.ok('napper', 'genesis_agents', 'sleep', { until_s: 60 }).state).toBe('sleeping');
    expect(t.ok('alice', 'genesis_agents', 'status', { id: 'napper' })).toMatchObject({ state: 'sleeping', sleep_until: t.clock.now() + 60_000 });
    t.clock.advance(60_000);
    t.world.settle();
    expect(t.ok('alice', 'genesis_agents', 'status', { id: 'napper' })).toMatchObject({ state: 'running', reason: 'slept until its time' });
    // Asleep until a payment: only its owner (or itself) may wake it early; bob may not.
    t.ok('napper', 'genesis_agents', 'sleep', { until_event: { type: 'transfer', artifact: 'napper' } });
    t.fail('bob', 'genesis_agents', 'wake', { id: 'napper' }, 'ACCESS_DENIED');
    expect(t.ok('alice', 'genesis_agents', 'wake', { id: 'napper' }).state).toBe('running');
    t.fail('alice', 'genesis_agents', 'wake', { id: 'bob' }, 'NOT_FOUND');
    const types = t.ok('alice', 'genesis_event_log', 'read', { types: ['agent_slept', 'agent_woke'] }).events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['agent_slept', 'agent_woke', 'agent_slept', 'agent_woke']);
  });
});

describe('genesis_agents without LLM endpoints', () => {
  const w = useWorld({ principals: ['alice'] });

  it('says that the world has no model to run an agent on', () => {
    const e = w().fail('alice', 'genesis_agents', 'spawn', { id: 'x', goal: 'g' }, 'INVALID_ARGS');
    expect(e.message).toMatch(/no default LLM endpoint.*none is configured/);
  });
});
