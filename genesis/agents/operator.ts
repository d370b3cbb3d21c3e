import * as z from 'zod';
import { defineMethod, type HandlerContext } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { READ, WRITE, principalArg } from '../shared.ts';
import { inventoryOf } from './inventory.ts';
import { Agents, type AgentRow } from './store.ts';
import { wakeAgent } from './sleep.ts';

const STATES = ['running', 'sleeping', 'frozen', 'paused'] as const;

function requireAgent(ctx: HandlerContext, id: string): AgentRow {
  const a = new Agents(ctx.services.store).get(id);
  if (!a) throw new KernelError('NOT_FOUND', `'${id}' is not a hosted agent (ecology agents list shows them).`, { id });
  return a;
}

const agentView = (ctx: HandlerContext, a: AgentRow) => ({
  id: a.id,
  owner: ctx.services.artifacts.meta(a.id)?.owner ?? a.spawner,
  state: a.state,
  reason: a.state_reason,
  since: a.state_at,
  steps: a.steps,
  consecutive_errors: a.consecutive_errors,
  last_step_at: a.last_step_at,
  last_error: a.last_error,
  llm_budget_micro_usd: ctx.services.ledger.balance(a.id, 'llm_budget_micro_usd'),
  sleep_until: a.sleep_until,
});

const agentOut = z.object({
  id: z.string(),
  owner: z.string(),
  state: z.enum(STATES),
  reason: z.string().nullable(),
  since: z.int(),
  steps: z.int(),
  consecutive_errors: z.int(),
  last_step_at: z.int().nullable(),
  last_error: z.string().nullable(),
  llm_budget_micro_usd: z.int(),
  sleep_until: z.int().nullable(),
});

export const list = defineMethod({
  artifact: 'genesis_agents',
  name: 'list',
  tool: 'operator_agents_list',
  title: 'List hosted agents',
  description: 'Operator only. Hosted agents by id, with their state, steps, last error and LLM budget.',
  input: z.object({ id: principalArg('Only this agent.').optional(), state: z.enum(STATES).optional(), after: z.string().max(64).optional(), limit: z.int().min(1).max(500).optional() }),
  output: z.object({ agents: z.array(agentOut), next_after: z.string().optional() }),
  annotations: READ,
  operatorOnly: true,
  handler: (ctx, args) => {
    if (args.id !== undefined) {
      const a = new Agents(ctx.services.store).get(args.id);
      return { agents: a && (args.state === undefined || a.state === args.state) ? [agentView(ctx, a)] : [] };
    }
    const limit = args.limit ?? 100;
    const rows = new Agents(ctx.services.store).list({ ...(args.state ? { state: args.state } : {}), ...(args.after ? { after: args.after } : {}), limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { agents: page.map((a) => agentView(ctx, a)), ...(rows.length > limit ? { next_after: page.at(-1)!.id } : {}) };
  },
});

export const pause = defineMethod({
  artifact: 'genesis_agents',
  name: 'pause',
  tool: 'operator_agents_pause',
  title: 'Pause a hosted agent',
  description: 'Operator only. Stops an agent taking steps (any host process sees it: the state is in the database) until resumed.',
  input: z.object({ id: principalArg('The agent.'), reason: z.string().max(500).optional() }),
  output: agentOut,
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    requireAgent(ctx, args.id);
    new Agents(ctx.services.store).setState(args.id, 'paused', ctx.now, { reason: args.reason ?? 'paused by the operator' });
    ctx.unschedule(`agent_wake:${args.id}`);
    return agentView(ctx, requireAgent(ctx, args.id));
  },
});

export const resume = defineMethod({
  artifact: 'genesis_agents',
  name: 'resume',
  tool: 'operator_agents_resume',
  title: 'Resume a hosted agent',
  description: 'Operator only. A paused (or sleeping) agent runs again, its error count cleared. A frozen agent needs LLM budget, not this.',
  input: z.object({ id: principalArg('The agent.') }),
  output: agentOut,
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const a = requireAgent(ctx, args.id);
    if (a.state === 'frozen') throw new KernelError('CONFLICT', `${a.id} is frozen: it cannot pay for its next LLM call. Move LLM budget to it (rights_transfer, or ecology grant) and it wakes.`, { state: a.state });
    new Agents(ctx.services.store).clearErrors(a.id);
    if (a.state !== 'running') wakeAgent(ctx, a.id, 'resumed by the operator');
    return agentView(ctx, requireAgent(ctx, args.id));
  },
});

export const recordStep = defineMethod({
  artifact: 'genesis_agents',
  name: 'record_step',
  tool: 'operator_agents_record_step',
  title: 'Record a hosted agent step',
  description:
    "Operator only (the agent host). Records one step's trace (cut to agents.trace_max_bytes; the oldest beyond agents.traces_kept, and any agent's older than agents.trace_max_age_ms, are dropped) and its outcome. After agents.max_consecutive_errors failed steps in a row the agent pauses itself, with the last error as its reason.",
  input: z.object({
    id: principalArg('The agent.'),
    ok: z.boolean(),
    error: z.string().max(2_000).optional(),
    trace: z.record(z.string(), z.unknown()),
  }),
  output: z.object({ step: z.int(), state: z.enum(STATES), reason: z.string().nullable() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const a = requireAgent(ctx, args.id);
    const { store } = ctx.services;
    const limits = ctx.config.agents;
    const step = a.steps + 1;
    const errors = args.ok ? 0 : a.consecutive_errors + 1;
    const agents = new Agents(store);
    agents.stepped(a.id, ctx.now, errors, args.ok ? a.last_error : (args.error ?? 'failed'));
    let text = JSON.stringify({ step, at: ctx.now, ok: args.ok, ...(args.error ? { error: args.error } : {}), ...args.trace });
    if (Buffer.byteLength(text) > limits.trace_max_bytes) text = JSON.stringify({ step, at: ctx.now, ok: args.ok, truncated: true, head: text.slice(0, Math.floor(limits.trace_max_bytes / 2)) });
    agents.addTrace(a.id, step, ctx.now, text, limits.traces_kept);
    agents.dropTracesBefore(ctx.now - limits.trace_max_age_ms);
    if (!args.ok && errors >= limits.max_consecutive_errors && a.state === 'running') {
      const reason = `paused itself after ${errors} failed steps in a row; the last: ${(args.error ?? 'failed').slice(0, 300)}`;
      agents.setState(a.id, 'paused', ctx.now, { reason });
      return { step, state: 'paused' as const, reason };
    }
    const now = requireAgent(ctx, a.id);
    return { step, state: now.state, reason: now.state_reason };
  },
});

export const claim = defineMethod({
  artifact: 'genesis_agents',
  name: 'claim',
  tool: 'operator_agents_claim',
  title: 'Claim a hosted agent’s next step',
  description: 'Operator only (the agent host). Leases a running agent to one host process for one step, so that two hosts never step it at once. A lease ends with record_step, or lapses.',
  input: z.object({ id: principalArg('The agent.'), holder: z.string().min(1).max(100), for_ms: z.int().min(1).max(86_400_000), force: z.boolean().optional().describe('Claim it whatever its state (an operator’s single step of a paused agent).') }),
  output: z.object({ claimed: z.boolean(), state: z.enum(STATES) }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const a = requireAgent(ctx, args.id);
    const claimed = new Agents(ctx.services.store).claim(a.id, args.holder, ctx.now + args.for_ms, ctx.now, args.force === true);
    return { claimed, state: a.state };
  },
});

export const traces = defineMethod({
  artifact: 'genesis_agents',
  name: 'trace',
  tool: 'operator_agents_trace',
  title: 'A hosted agent’s step traces',
  description: 'Operator only. The most recent step traces of an agent, newest first: prompt size, the model’s reply, tool calls and results, tokens, cost, latency, errors.',
  input: z.object({ id: principalArg('The agent.'), before_step: z.int().min(1).optional(), limit: z.int().min(1).max(100).optional() }),
  output: z.object({ traces: z.array(z.record(z.string(), z.unknown())) }),
  annotations: READ,
  operatorOnly: true,
  handler: (ctx, args) => {
    requireAgent(ctx, args.id);
    return { traces: new Agents(ctx.services.store).traces(args.id, args.limit ?? 10, args.before_step) };
  },
});

export const freeze = defineMethod({
  artifact: 'genesis_agents',
  name: 'freeze',
  tool: 'operator_agents_freeze',
  title: 'Freeze a hosted agent',
  description: 'Operator only (the agent host). An agent that cannot pay for its next LLM call freezes: agent_frozen tells everyone what it holds. Anyone can rescue it by moving LLM budget to it.',
  input: z.object({ id: principalArg('The agent.'), needed_micro_usd: z.int().min(0) }),
  output: z.object({ id: z.string(), state: z.literal('frozen') }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const a = requireAgent(ctx, args.id);
    if (a.state === 'frozen') return { id: a.id, state: 'frozen' as const };
    const have = ctx.services.ledger.balance(a.id, 'llm_budget_micro_usd');
    new Agents(ctx.services.store).setState(a.id, 'frozen', ctx.now, { reason: `cannot pay for its next LLM call (needs up to ${args.needed_micro_usd}, holds ${have} llm_budget_micro_usd)` });
    ctx.unschedule(`agent_wake:${a.id}`);
    ctx.emit('agent_frozen', { principal: a.id }, { needed_micro_usd: args.needed_micro_usd, inventory: inventoryOf(ctx, a.id) });
    return { id: a.id, state: 'frozen' as const };
  },
});

/** How many sleeping agents one check looks at, and how many events for each: the check is bounded. */
const WAKE_SCAN = 200;
const EVENTS_SCAN = 20_000;

export const checkWakes = defineMethod({
  artifact: 'genesis_agents',
  name: 'check_wakes',
  tool: 'operator_agents_check_wakes',
  title: 'Wake agents whose event came or whose rescue arrived',
  description:
    'Operator only (the agent host). Wakes sleeping agents whose `until_event` filter matches an event logged since they slept (matched from the event log, each event looked at once per sleeper), and unfreezes the frozen agents named in `unfreeze` that now hold at least the budget their next call needs, naming who moved budget to them.',
  input: z.object({
    unfreeze: z
      .array(z.object({ id: principalArg('A frozen agent.'), min_budget_micro_usd: z.int().min(0) }))
      .max(WAKE_SCAN)
      .optional()
      .describe('Frozen agents the host found able to pay again, with what their next call needs.'),
  }),
  output: z.object({ woken: z.array(z.string()), unfrozen: z.array(z.object({ id: z.string(), rescuer: z.string().nullable() })) }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const { store, ledger } = ctx.services;
    const agents = new Agents(store);
    const woken: string[] = [];
    const lastSeq = store.one<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events')!.seq ?? 0;
    for (const a of agents.eventSleepers(WAKE_SCAN)) {
      const f = JSON.parse(a.wake_on) as { type?: string; principal?: string; artifact?: string };
      const upTo = Math.min(lastSeq, a.wake_after_seq + EVENTS_SCAN);
      const hit = store.one<{ seq: number }>(
        `SELECT seq FROM events WHERE seq > ? AND seq <= ? AND (? IS NULL OR type = ?) AND (? IS NULL OR principal = ?) AND (? IS NULL OR artifact = ?) ORDER BY seq LIMIT 1`,
        a.wake_after_seq,
        upTo,
        f.type ?? null,
        f.type ?? null,
        f.principal ?? null,
        f.principal ?? null,
        f.artifact ?? null,
        f.artifact ?? null,
      );
      if (hit) {
        wakeAgent(ctx, a.id, `woken by event ${hit.seq}`);
        woken.push(a.id);
      } else {
        agents.lookedUpTo(a.id, upTo);
      }
    }
    const unfrozen: { id: string; rescuer: string | null }[] = [];
    for (const c of args.unfreeze ?? []) {
      const a = agents.get(c.id);
      if (!a || a.state !== 'frozen' || ledger.balance(a.id, 'llm_budget_micro_usd') < Math.max(1, c.min_budget_micro_usd)) continue;
      const rescue = store.one<{ from_id: string }>(
        `SELECT from_id FROM journal WHERE to_id = ? AND asset = 'llm_budget_micro_usd' AND at >= ? AND from_id <> 'genesis_llm' ORDER BY seq DESC LIMIT 1`,
        a.id,
        a.state_at,
      );
      const rescuer = rescue?.from_id ?? null;
      agents.setState(a.id, 'running', ctx.now, { reason: rescuer ? `rescued by ${rescuer}` : 'has LLM budget again' });
      ctx.emit('agent_unfrozen', { principal: a.id }, { rescuer });
      unfrozen.push({ id: a.id, rescuer });
    }
    return { woken, unfrozen };
  },
});
