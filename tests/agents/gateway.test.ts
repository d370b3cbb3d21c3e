import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmGateway, estimateTokens } from '../../src/agents/gateway.ts';
import { World } from '../../src/world.ts';
import { VirtualClock } from '../../src/kernel/clock.ts';
import { completion, llmStandIn } from '../helpers/llm.ts';

type StandIn = Awaited<ReturnType<typeof llmStandIn>>;

/**
 * The gateway against a real `openai` client and a local OpenAI-compatible server: reserve, call, settle,
 * with exact budgets. Prices: 1,000 micro-dollars per 1k prompt tokens, 2,000 per 1k completion tokens.
 */
describe('the LLM gateway', () => {
  let llm: StandIn;
  let script: Parameters<typeof llmStandIn>[0] = () => ({ json: completion({ content: 'hi' }) });
  let world: World;
  let gateway: LlmGateway;
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));

  beforeAll(async () => {
    llm = await llmStandIn((b, n) => script(b, n));
    world = await World.open({
      clock,
      config: {
        principal_defaults: { llm_budget_micro_usd: 10_000, llm_tokens: 50_000 },
        llm: { endpoints: { local: { base_url: llm.url, model: 'stand-in', input_micro_usd_per_1k: 1_000, output_micro_usd_per_1k: 2_000, max_output_tokens: 500, timeout_ms: 400 } } },
      },
    });
    for (const p of ['alice', 'bob']) world.createPrincipal(p);
    gateway = new LlmGateway(world);
  });
  afterAll(async () => {
    await world.close();
    await llm.close();
  });

  const budget = (p: string) => world.kernel.services.ledger.balance(p, 'llm_budget_micro_usd');
  const tokensUsed = (p: string) => world.kernel.services.rates.status(p, 'llm_tokens', clock.now()).used;
  const ask = (payer: string | null, extra: Partial<Parameters<LlmGateway['chat']>[0]> = {}) => gateway.chat({ payer, endpoint: 'local', messages: [{ role: 'user', content: 'hello' }], ...extra });

  it('charges exactly the usage the endpoint reports and gives back the rest of the reservation', async () => {
    script = () => ({ json: completion({ content: 'hi', usage: { prompt_tokens: 1_000, completion_tokens: 250 } }) });
    const before = { budget: budget('alice'), used: tokensUsed('alice') };
    const r = await ask('alice');
    expect(r.ok).toBe(true);
    // 1,000 prompt tokens at 1,000/1k + 250 completion tokens at 2,000/1k.
    expect(r.usage).toEqual({ input_tokens: 1_000, output_tokens: 250, cost_micro_usd: 1_500 });
    expect(budget('alice')).toBe(before.budget - 1_500);
    expect(tokensUsed('alice')).toBe(before.used + 1_250);
    expect(llm.requests.at(-1)).toMatchObject({ model: 'stand-in', max_tokens: 500 });
    expect(budget('genesis_llm')).toBe(0);
    expect(world.check().ok).toBe(true);
  });

  it('charges what the estimate missed, but never below zero', async () => {
    script = () => ({ json: completion({ content: 'long', usage: { prompt_tokens: 3_000, completion_tokens: 2_000 } }) });
    const before = budget('alice');
    const r = await ask('alice');
    // 3,000 + 4,000 = 7,000 reported, more than reserved (the estimate of a short prompt plus 500 output).
    expect(r.usage.cost_micro_usd).toBe(Math.min(7_000, before));
    expect(budget('alice')).toBe(before - r.usage.cost_micro_usd);
    script = () => ({ json: completion({ content: 'huge', usage: { prompt_tokens: 100_000, completion_tokens: 0 } }) });
    const r2 = await ask('alice');
    expect(r2.ok).toBe(true);
    expect(budget('alice')).toBe(0);
    expect(world.check().ok).toBe(true);
  });

  it('refuses a call its payer cannot cover, before calling: INSUFFICIENT_FUNDS, nothing charged', async () => {
    const seen = llm.requests.length;
    const r = await ask('alice');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INSUFFICIENT_FUNDS');
    expect(r.usage.cost_micro_usd).toBe(0);
    expect(llm.requests.length).toBe(seen);
    expect(world.check().ok).toBe(true);
  });

  it('a refusal by the endpoint (429, 500) costs nothing and says when to retry', async () => {
    const before = budget('bob');
    script = () => ({ status: 429, json: { error: { message: 'slow down' } }, headers: { 'retry-after': '3' } });
    const r = await ask('bob');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: 3_000 });
    script = () => ({ status: 500, json: { error: { message: 'boom' } } });
    const r2 = await ask('bob');
    expect(!r2.ok && r2.error.code).toBe('UPSTREAM_ERROR');
    expect(budget('bob')).toBe(before);
    expect(world.check().ok).toBe(true);
  });

  it('a hang is cut off at the timeout and charged at its estimate; an abort likewise', async () => {
    const before = budget('bob');
    script = () => ({ delayMs: 2_000, json: completion({ content: 'late' }) });
    const r = await ask('bob');
    expect(!r.ok && r.error.code).toBe('TIMEOUT');
    const estimate = estimateTokens(JSON.stringify([{ role: 'user', content: 'hello' }]) + '[]');
    const cost = estimate + 1_000; // the estimate's prompt tokens at 1,000/1k, and all 500 completion tokens at 2,000/1k
    expect(r.usage).toEqual({ input_tokens: estimate, output_tokens: 500, cost_micro_usd: cost });
    expect(budget('bob')).toBe(before - cost);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const r2 = await ask('bob', { signal: abort.signal });
    expect(!r2.ok && r2.error.code).toBe('TIMEOUT');
    expect(budget('bob')).toBe(before - 2 * cost);
    expect(world.check().ok).toBe(true);
  });

  it('a malformed reply or one without choices is an UPSTREAM_ERROR, charged for what it reported', async () => {
    const before = budget('bob');
    script = () => ({ raw: '{"choices": [ this is not json' });
    const r = await ask('bob');
    expect(!r.ok && r.error.code).toBe('UPSTREAM_ERROR');
    expect(r.usage.cost_micro_usd).toBeGreaterThan(0);
    script = () => ({ json: { choices: [], usage: { prompt_tokens: 10, completion_tokens: 0 } } });
    const r2 = await ask('bob');
    expect(!r2.ok && r2.error.code).toBe('UPSTREAM_ERROR');
    expect(r2.usage).toEqual({ input_tokens: 10, output_tokens: 0, cost_micro_usd: 10 });
    expect(budget('bob')).toBe(before - r.usage.cost_micro_usd - 10);
    expect(world.check().ok).toBe(true);
  });

  it("the world's own calls (payer null) reserve nothing; an unknown endpoint is NOT_FOUND", async () => {
    script = () => ({ json: completion({ content: 'graded', usage: { prompt_tokens: 50, completion_tokens: 5 } }) });
    const r = await ask(null);
    expect(r.ok && r.message.content).toBe('graded');
    const r2 = await gateway.chat({ payer: 'bob', endpoint: 'nope', messages: [] });
    expect(!r2.ok && r2.error.code).toBe('NOT_FOUND');
    expect(world.check().ok).toBe(true);
  });

  it('a reservation never settled (its process died) is settled at its estimate when it expires', async () => {
    const before = budget('bob');
    const r = world.invoke('genesis_operator', 'genesis_llm', 'reserve', { principal: 'bob', endpoint: 'local', input_tokens: 100, output_tokens: 100 });
    expect(r.ok).toBe(true);
    const held = (r as { value: { cost_micro_usd: number } }).value.cost_micro_usd;
    expect(held).toBe(100 + 200);
    expect(budget('bob')).toBe(before - held);
    expect(budget('genesis_llm')).toBe(held);
    expect(world.check().ok).toBe(true);
    // Settling twice is refused; settling an unknown reservation too.
    expect(world.invoke('genesis_operator', 'genesis_llm', 'settle', { reservation_id: 'llmr_nope', input_tokens: 1, output_tokens: 1, outcome: 'ok' }).ok).toBe(false);
    // Its process died: nobody settles it. Once it expires, the ticker settles it at its estimate.
    clock.advance(world.config.llm.reservation_ttl_ms + 1);
    world.settle();
    expect(budget('genesis_llm')).toBe(0);
    expect(budget('bob')).toBe(before - held);
    const events = world.invoke('bob', 'genesis_event_log', 'read', { types: ['llm_call'] });
    expect(events.ok && (events.value as { events: { payload: { outcome: string; cost_micro_usd: number } }[] }).events.at(-1)!.payload).toMatchObject({ outcome: 'lost', cost_micro_usd: held });
    expect(world.check().ok).toBe(true);
    // Agents cannot reach the gateway's ledger side.
    const denied = world.invoke('bob', 'genesis_llm', 'reserve', { principal: 'alice', endpoint: 'local', input_tokens: 1, output_tokens: 1 });
    expect(!denied.ok && denied.error.code).toBe('ACCESS_DENIED');
  });
});
