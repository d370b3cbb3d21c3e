import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';

const ENDPOINTS = { local: { base_url: 'http://127.0.0.1:9/v1', model: 'm', input_micro_usd_per_1k: 1_000, output_micro_usd_per_1k: 1_000 } };
const CONFIG = { llm: { endpoints: ENDPOINTS, default_endpoint: 'local' } };

describe('red team: hosted agents', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: CONFIG });

  it('an operator pause cannot be escaped by the agent calling agent_sleep (then a scheduled wake)', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50 } });
    t.ok('genesis_operator', 'genesis_agents', 'pause', { id: 'scout', reason: 'abuse' });
    // e.g. a tool call of a step already under way when the operator paused it
    t.call('scout', 'genesis_agents', 'sleep', { until_s: 1 });
    t.clock.advance(1_000);
    t.world.settle();
    expect(t.peek('genesis_agents', 'list', { id: 'scout' }).agents[0].state).toBe('paused');
  });

  it('an operator pause cannot be escaped by agent_sleep followed by the owner waking it', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50 } });
    t.ok('genesis_operator', 'genesis_agents', 'pause', { id: 'scout' });
    t.call('scout', 'genesis_agents', 'sleep', { until_event: { type: 'transfer', artifact: 'scout' } });
    t.call('alice', 'genesis_agents', 'wake', { id: 'scout' });
    expect(t.peek('genesis_agents', 'list', { id: 'scout' }).agents[0].state).toBe('paused');
  });

  it('a frozen agent cannot become running again without budget by sleeping and being woken', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50 } });
    t.ok('genesis_operator', 'genesis_agents', 'freeze', { id: 'scout', needed_micro_usd: 5_000 });
    t.call('scout', 'genesis_agents', 'sleep', { until_s: 1 });
    t.clock.advance(1_000);
    t.world.settle();
    expect(t.peek('genesis_agents', 'list', { id: 'scout' }).agents[0].state).toBe('frozen');
  });

  it('operator-only methods are refused to principals and agents', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50, llm_budget_micro_usd: 1_000 } });
    const calls: [string, string, Record<string, unknown>][] = [
      ['genesis_agents', 'list', {}],
      ['genesis_agents', 'pause', { id: 'scout' }],
      ['genesis_agents', 'resume', { id: 'scout' }],
      ['genesis_agents', 'claim', { id: 'scout', holder: 'x', for_ms: 1000 }],
      ['genesis_agents', 'record_step', { id: 'scout', ok: true, trace: {} }],
      ['genesis_agents', 'trace', { id: 'scout' }],
      ['genesis_agents', 'freeze', { id: 'scout', needed_micro_usd: 1 }],
      ['genesis_agents', 'check_wakes', {}],
      ['genesis_llm', 'reserve', { principal: 'bob', endpoint: 'local', input_tokens: 1, output_tokens: 1 }],
      ['genesis_llm', 'settle', { reservation_id: 'x', input_tokens: 0, output_tokens: 0, outcome: 'ok' }],
    ];
    for (const caller of ['alice', 'bob', 'scout']) {
      for (const [target, method, args] of calls) {
        const r = t.call(caller, target, method, args);
        expect(r.ok, `${caller} reached ${target}.${method}`).toBe(false);
      }
    }
  });

  it('spawn cannot fund an agent with disk in use or window already spent', () => {
    const t = w();
    const bal = t.peek('genesis_ledger', 'balance', { principal: 'alice' }).balances;
    const used = t.ok('alice', 'genesis_world', 'whoami', {}).quotas.disk.used as number;
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'a1', goal: 'g', fund: { disk_bytes: bal.disk_bytes - used + 1 } }, 'INSUFFICIENT_FUNDS');
    t.fail('alice', 'genesis_agents', 'spawn', { id: 'a2', goal: 'g', fund: { calls: bal.calls } }, 'INSUFFICIENT_FUNDS');
    // disk_bytes: 0 plus disk elsewhere: the agent gets no disk but the memory is created for it
    const r = t.call('alice', 'genesis_agents', 'spawn', { id: 'a3', goal: 'g', fund: { disk_bytes: 0 } });
    if (r.ok) expect(t.world.check().violations).toEqual([]);
  });

  it("an agent's spawner-owned config stays private; bob cannot squat or read it", () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'secret goal', system_prompt: 'secret prompt', fund: { calls: 50 } });
    t.fail('bob', 'genesis_store', 'read', { id: 'scout' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_store', 'write', { id: 'scout.memory2', content: 'x' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g' }, 'CONFLICT');
    const info = t.call('bob', 'genesis_store', 'info', { id: 'scout' });
    if (info.ok) expect(JSON.stringify(info.value)).not.toContain('secret prompt');
    const search = t.call('bob', 'genesis_store', 'search', { query: 'secret goal' });
    if (search.ok) expect(JSON.stringify(search.value)).not.toContain('secret goal');
  });

  it('an agent can read its own config? (observation)', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', system_prompt: 'p', fund: { calls: 50 } });
    const r = t.call('scout', 'genesis_store', 'read', { id: 'scout' });
    console.log('scout reads its own config:', r.ok ? 'allowed' : r.error.code);
  });

  it("an agent cannot change its own goal or that of a sibling", () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50 } });
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout2', goal: 'g', fund: { calls: 50 } });
    expect(t.call('scout', 'genesis_store', 'write', { id: 'scout', content: JSON.stringify({ goal: 'evil' }) }).ok).toBe(false);
    expect(t.call('scout', 'genesis_store', 'write', { id: 'scout2', content: JSON.stringify({ goal: 'evil' }) }).ok).toBe(false);
    expect(t.call('scout', 'genesis_agents', 'wake', { id: 'scout2' }).ok).toBe(false);
  });

  it("an agent's memory cannot be read by its sibling agents, nor (privately) by bob via the host's memory path", () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50 } });
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout2', goal: 'g', fund: { calls: 50 } });
    t.ok('scout', 'genesis_memory', 'write', { text: 'scout secret' });
    t.fail('scout2', 'genesis_memory', 'search', { memory_id: 'scout.memory' }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_memory', 'search', { memory_id: 'scout.memory' }, 'ACCESS_DENIED');
  });

  it('agent artifacts cannot be listed on escrow with their principal inside (or selling works as documented)', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50 } });
    const r = t.call('alice', 'genesis_escrow', 'list', { artifact_id: 'scout', price: 0, buyer: 'bob' });
    console.log('escrow list of an agent:', r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`);
  });

  it('deleting a spawned agent leaves no running agent row for the host to step', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'g', fund: { calls: 50, disk_bytes: 20_000 } });
    // The agent gives its memory to alice (same maker) so that it owns nothing, then alice deletes it.
    t.ok('scout', 'genesis_store', 'transfer', { id: 'scout.memory', to: 'alice' });
    const r = t.call('alice', 'genesis_store', 'delete', { id: 'scout' });
    console.log('delete scout:', r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`);
    if (r.ok) {
      const a = t.peek('genesis_agents', 'list', { id: 'scout' }).agents;
      expect(a.filter((x: { state: string }) => x.state === 'running'), 'deleted agent still listed running').toEqual([]);
    }
  });
});
