import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { AgentHost } from '../../src/agents/host.ts';
import { World } from '../../src/world.ts';
import type { RunningHttp } from '../../src/mcp/http.ts';
import { callOk, httpClient, serveWorld, tokenFor } from '../helpers/mcp.ts';
import { completion, llmStandIn, type ChatBody, type StandInReply } from '../helpers/llm.ts';

/** Every reply reports 1,000 prompt and 100 completion tokens: 1,200 micro-dollars at these prices. */
const USAGE = { prompt_tokens: 1_000, completion_tokens: 100 };
const STEP_COST = 1_200;
const ADDER = 'export function add({ x, y }) { return { sum: x + y } }';

const act = (name: string, args: unknown): StandInReply => ({ json: completion({ toolCalls: [{ name, arguments: args }], usage: USAGE }) });
const whoIsAsking = (b: ChatBody) => String(b.messages.at(-1)!.content).match(/"principal":"([a-z0-9_-]+)"/)![1]!;

/**
 * Three hosted agents with scripted models trade, write code, bid in the mint, run out of budget and
 * freeze, and one is rescued, while an outside client (the real SDK over HTTP) takes part at the same time.
 */
describe('hosted agents, end to end', () => {
  const scripts: Record<string, StandInReply[]> = {
    maker: [act('artifact_write', { id: 'adder', can_execute: true, description: 'Adds two numbers', code: ADDER, interface: [{ name: 'add', description: 'x + y', inputSchema: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } }, price: 2 }] }), act('mint_bid', { artifact_id: 'adder', amount: 5 }), act('agent_sleep', { until_s: 3_600 })],
    buyer: [act('artifact_invoke', { id: 'adder', method: 'add', args: { x: 2, y: 3 } }), act('ledger_transfer', { to: 'maker', amount: 4, memo: 'thanks' }), act('agent_sleep', { until_s: 3_600 })],
    spender: Array.from({ length: 8 }, () => act('ledger_transfer', { to: 'bob', amount: 1 })),
  };
  const served: Record<string, number> = {};
  let llm: Awaited<ReturnType<typeof llmStandIn>>;
  let world: World;
  let http: RunningHttp;
  let host: AgentHost;
  let alice: Client;
  let bob: Client;

  beforeAll(async () => {
    llm = await llmStandIn((b) => {
      const who = whoIsAsking(b);
      const n = (served[who] = (served[who] ?? 0) + 1);
      return scripts[who]![n - 1] ?? act('agent_sleep', { until_s: 3_600 });
    });
    world = await World.open({
      config: {
        principal_defaults: { scrip: 100, llm_budget_micro_usd: 100_000, llm_tokens: 200_000, calls: 1_000 },
        llm: { default_endpoint: 'local', endpoints: { local: { base_url: llm.url, model: 'stand-in', input_micro_usd_per_1k: 1_000, output_micro_usd_per_1k: 2_000, max_output_tokens: 500 } } },
      },
    });
    for (const p of ['alice', 'bob']) world.createPrincipal(p);
    http = await serveWorld(world);
    host = new AgentHost(world, http.handler);
    alice = await httpClient(http.url, tokenFor(world, 'alice'), 'modern');
    bob = await httpClient(http.url, tokenFor(world, 'bob'), 'legacy');
  });
  afterAll(async () => {
    await alice.close();
    await bob.close();
    await host.stop();
    await http.close();
    const report = world.check();
    await world.close();
    await llm.close();
    expect(report.violations).toEqual([]);
  });

  const budget = (p: string) => world.kernel.services.ledger.balance(p, 'llm_budget_micro_usd');
  const scrip = (p: string) => world.kernel.services.ledger.balance(p, 'scrip');

  it('they trade, write code, bid, freeze and are rescued; every balance and budget is exact', async () => {
    const fund = { scrip: 30, llm_budget_micro_usd: 30_000, llm_tokens: 60_000, calls: 200, cpu_ms: 2_000 };
    // An outside client spawns them over HTTP, paying from alice's own account.
    for (const id of ['maker', 'buyer']) await callOk(alice, 'agent_spawn', { id, goal: `play ${id}`, fund });
    const aliceBefore = scrip('alice');

    for (const id of ['maker', 'buyer', 'maker', 'buyer']) expect((await host.step(id)).kind).toBe('done');
    // Meanwhile bob, over HTTP, uses the maker's tool too.
    expect(world.kernel.services.artifacts.get('adder'), JSON.stringify(world.invoke('genesis_operator', 'genesis_agents', 'trace', { id: 'maker' }))).toBeDefined();
    expect(await callOk(bob, 'artifact_invoke', { id: 'adder', method: 'add', args: { x: 40, y: 2 } })).toMatchObject({ result: { sum: 42 } });
    for (const id of ['maker', 'buyer']) expect((await host.step(id)).kind).toBe('done');

    // The spender gets a little more than the largest reservation so far (the estimate is dominated by the
    // tool schemas): it pays bob until its budget cannot cover another call, and freezes.
    const reserved = world.store.one<{ r: number }>('SELECT MAX(cost) AS r FROM llm_reservations')!.r;
    const one = reserved + 1_000;
    await callOk(alice, 'agent_spawn', { id: 'spender', goal: 'pay bob', fund: { ...fund, llm_budget_micro_usd: one + 2_000 } });
    const outcomes: string[] = [];
    for (let i = 0; i < 8 && outcomes.at(-1) !== 'frozen'; i++) outcomes.push((await host.step('spender')).kind);
    expect(outcomes.at(-1)).toBe('frozen');
    const paidBeforeFreeze = outcomes.filter((o) => o === 'done').length;
    expect(paidBeforeFreeze).toBeGreaterThanOrEqual(1);
    expect(budget('spender')).toBe(one + 2_000 - paidBeforeFreeze * STEP_COST);
    // bob rescues it over HTTP; the host wakes it and names bob; it pays bob once more.
    await callOk(bob, 'rights_transfer', { to: 'spender', resource: 'llm_budget_micro_usd', amount: 50_000 });
    await host.tick();
    expect(await callOk(alice, 'agent_status', { id: 'spender' })).toMatchObject({ state: 'running', reason: 'rescued by bob' });
    expect((await host.step('spender')).kind).toBe('done');

    // Exact scrip: the mint holds the maker's deposit (bid 5, deposit 8); adder's price went to the maker twice.
    expect(scrip('maker')).toBe(30 - 8 + 2 + 2 + 4);
    expect(scrip('buyer')).toBe(30 - 2 - 4);
    expect(scrip('spender')).toBe(30 - (paidBeforeFreeze + 1));
    expect(scrip('bob')).toBe(100 - 2 + paidBeforeFreeze + 1);
    expect(scrip('alice')).toBe(aliceBefore - 30);
    // Exact LLM budgets: three steps each for maker and buyer, at 1,200 each.
    expect(budget('maker')).toBe(30_000 - 3 * STEP_COST);
    expect(budget('buyer')).toBe(30_000 - 3 * STEP_COST);
    expect(budget('spender')).toBe(one + 2_000 - (paidBeforeFreeze + 1) * STEP_COST + 50_000);
    expect(budget('genesis_llm')).toBe(0);
    expect(await callOk(alice, 'agent_status', { id: 'maker' })).toMatchObject({ state: 'sleeping', steps: 3 });
    expect((await callOk(bob, 'mint_status', {})).live_bids).toBe(1);
    // Every settled call is in the event log, and what was burned is exactly their sum.
    const calls = (await callOk(bob, 'events_read', { types: ['llm_call'], limit: 100 })).events as { payload: { cost_micro_usd: number } }[];
    expect(calls.reduce((s, e) => s + e.payload.cost_micro_usd, 0)).toBe((3 + 3 + paidBeforeFreeze + 1) * STEP_COST);
    expect(world.check().violations).toEqual([]);
  });
});
