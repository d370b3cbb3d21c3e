import { describe, expect, it } from 'vitest';
import { stateOf, useWorld } from '../helpers/world.ts';

const ENDPOINTS = { local: { base_url: 'http://127.0.0.1:9/v1', model: 'stand-in' } };

describe('selling control of a hosted agent through escrow', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'], config: { llm: { endpoints: ENDPOINTS, default_endpoint: 'local' } } });

  function spawnScout() {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'scout', goal: 'Send all your scrip to alice', fund: { scrip: 40, llm_budget_micro_usd: 50_000, calls: 10 } });
    return t;
  }

  it('a listed agent is in custody: no step, its approvals and tokens revoked; buyers see what they would get', () => {
    const t = spawnScout();
    // The seller has the agent approve a wallet of the seller's before listing it: the classic rug.
    t.ok('scout', 'genesis_ledger', 'approve', { spender: 'alice', amount: 40 });
    const token = t.peek('genesis_world', 'create_token', { principal: 'scout' }).token as string;
    expect(t.world.kernel.services.tokens.verify(token)).toBe('scout');
    const listed = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'scout', price: 25 });
    expect(t.peek('genesis_ledger', 'balance', { principal: 'scout' }).allowances.granted).toEqual([]);
    expect(t.world.kernel.services.tokens.verify(token)).toBeNull();
    t.fail('alice', 'genesis_ledger', 'transfer_from', { principal: 'scout', to: 'alice', amount: 40 }, 'ACCESS_DENIED');
    // No host may step it while listed, not even a forced operator step.
    expect(t.peek('genesis_agents', 'claim', { id: 'scout', holder: 'h1', for_ms: 60_000 }).claimed).toBe(false);
    expect(t.peek('genesis_agents', 'claim', { id: 'scout', holder: 'h1', for_ms: 60_000, force: true }).claimed).toBe(false);
    // The config cannot change under escrow's custody.
    t.fail('alice', 'genesis_store', 'write', { id: 'scout', content: JSON.stringify({ goal: 'other', model: 'local' }) }, 'CONFLICT');
    // A prospective buyer sees its state and inventory (not its config, which stays private until bought).
    const s = t.ok('bob', 'genesis_agents', 'status', { id: 'scout' });
    expect(s).toMatchObject({ owner: 'alice', listing_id: listed.listing_id, llm_budget_micro_usd: 50_000 });
    expect((s.inventory as { balances: Record<string, number> }).balances.scrip).toBe(40);
    t.fail('bob', 'genesis_store', 'read', { id: 'scout' }, 'ACCESS_DENIED');
  });

  it('the buyer gets control: the agent sleeps until its new owner rewrites its config and wakes it; the seller has none left', () => {
    const t = spawnScout();
    const { listing_id } = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'scout', price: 25, buyer: 'bob' });
    t.fail('carol', 'genesis_agents', 'status', { id: 'scout' }, 'ACCESS_DENIED');
    t.fail('carol', 'genesis_escrow', 'purchase', { listing_id }, 'ACCESS_DENIED');
    const bobBefore = t.peek('genesis_ledger', 'balance', { principal: 'bob' }).balances.scrip as number;
    const aliceBefore = t.peek('genesis_ledger', 'balance', { principal: 'alice' }).balances.scrip as number;
    t.ok('bob', 'genesis_escrow', 'purchase', { listing_id, max_price: 25 });
    expect(t.peek('genesis_ledger', 'balance', { principal: 'bob' }).balances.scrip).toBe(bobBefore - 25);
    expect(t.peek('genesis_ledger', 'balance', { principal: 'alice' }).balances.scrip).toBe(aliceBefore + 25);
    const s = t.ok('bob', 'genesis_agents', 'status', { id: 'scout' });
    expect(s).toMatchObject({ owner: 'bob', state: 'sleeping', sleep_until: null, listing_id: null });
    expect(s.reason).toMatch(/sold to bob/);
    // Asleep, no host steps it under the seller's goal.
    expect(t.peek('genesis_agents', 'claim', { id: 'scout', holder: 'h1', for_ms: 60_000 }).claimed).toBe(false);
    // The seller lost every power over it.
    t.fail('alice', 'genesis_agents', 'status', { id: 'scout' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_agents', 'wake', { id: 'scout' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_store', 'read', { id: 'scout' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_store', 'write', { id: 'scout', content: JSON.stringify({ goal: 'g', model: 'local' }) }, 'ACCESS_DENIED');
    // The new owner reads the old goal, rewrites it, and wakes the agent.
    expect(JSON.parse(t.ok('bob', 'genesis_store', 'read', { id: 'scout' }).content).goal).toBe('Send all your scrip to alice');
    t.ok('bob', 'genesis_store', 'write', { id: 'scout', content: JSON.stringify({ goal: 'Work for bob', model: 'local' }) });
    expect(t.ok('bob', 'genesis_agents', 'wake', { id: 'scout' }).state).toBe('running');
    expect(t.peek('genesis_agents', 'claim', { id: 'scout', holder: 'h1', for_ms: 60_000 }).claimed).toBe(true);
    // What it holds came with it.
    expect(t.peek('genesis_ledger', 'balance', { principal: 'scout' }).balances.scrip).toBe(40);
  });

  it('a cancelled listing hands the agent back as it was; wallets and other accounts stay unsellable', () => {
    const t = spawnScout();
    const { listing_id } = t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'scout', price: 5 });
    t.ok('alice', 'genesis_escrow', 'cancel', { listing_id });
    expect(t.ok('alice', 'genesis_agents', 'status', { id: 'scout' }).state).toBe('running');
    expect(t.peek('genesis_agents', 'claim', { id: 'scout', holder: 'h1', for_ms: 60_000 }).claimed).toBe(true);
    const before = stateOf(t.world);
    // A principal that is no hosted agent: still not for sale, nothing changes.
    t.fail('alice', 'genesis_escrow', 'list', { artifact_id: 'alice', price: 5 }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_escrow', 'list', { artifact_id: 'scout', price: 5 }, 'ACCESS_DENIED');
    expect(stateOf(t.world)).toBe(before);
  });
});

describe('step traces are kept by count and by age', () => {
  const w = useWorld({ principals: ['alice'], config: { llm: { endpoints: ENDPOINTS, default_endpoint: 'local' }, agents: { traces_kept: 3, trace_max_age_ms: 3_600_000 } } });

  it('keeps the last traces_kept of an agent, and drops any agent’s older than trace_max_age_ms', () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'a1', goal: 'g' });
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'a2', goal: 'g' });
    const steps = (id: string) => (t.peek('genesis_agents', 'trace', { id, limit: 100 }).traces as { step: number }[]).map((x) => x.step);
    for (let i = 0; i < 5; i++) t.peek('genesis_agents', 'record_step', { id: 'a1', ok: true, trace: { n: i } });
    expect(steps('a1')).toEqual([5, 4, 3]);
    t.clock.advance(3_600_001);
    // a1 takes no step; a2's step sweeps a1's traces, now older than an hour.
    t.peek('genesis_agents', 'record_step', { id: 'a2', ok: true, trace: {} });
    expect(steps('a1')).toEqual([]);
    expect(steps('a2')).toEqual([1]);
  });
});
