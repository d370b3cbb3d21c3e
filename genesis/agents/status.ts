import * as z from 'zod';
import { defineMethod, type HandlerContext } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { READ, principalArg } from '../shared.ts';
import { Agents, type AgentRow } from './store.ts';
import { inventoryOf } from './inventory.ts';

/**
 * The agent row, if `id` is a hosted agent that the caller may look at: the agent itself or its owner, and,
 * with `buyers`, anyone who may buy it while it is listed for sale (what they would pay for).
 */
export function agentFor(ctx: HandlerContext, id: string, action: string, buyers = false): AgentRow {
  const row = new Agents(ctx.services.store).get(id);
  const meta = ctx.services.artifacts.meta(id);
  if (!row || !meta) throw new KernelError('NOT_FOUND', `'${id}' is not a hosted agent. Hosted agents are made with agent_spawn.`, { id });
  if (ctx.caller === id || ctx.caller === meta.owner) return row;
  if (buyers && meta.listing !== null) {
    const l = ctx.services.store.one<{ buyer: string | null }>("SELECT buyer FROM escrow_listings WHERE id = ? AND status = 'active'", meta.listing);
    if (l && (l.buyer === null || l.buyer === ctx.caller)) return row;
  }
  throw new KernelError('ACCESS_DENIED', `Only ${id} itself or its owner (${meta.owner}) may ${action} it${buyers ? ', or a prospective buyer while it is listed for sale' : ''}.`, { id, owner: meta.owner });
}

export const status = defineMethod({
  artifact: 'genesis_agents',
  name: 'status',
  tool: 'agent_status',
  title: 'Hosted agent status',
  description: "A hosted agent's state (running, sleeping, frozen, paused) and why, its LLM budget and token window left, its steps, its last step and last error, what it holds, and its escrow listing if it is for sale. For the agent itself, its owner, and (while it is listed) whoever may buy it.",
  input: z.object({ id: principalArg('The agent.') }),
  output: z.object({
    id: z.string(),
    owner: z.string(),
    state: z.enum(['running', 'sleeping', 'frozen', 'paused']),
    reason: z.string().nullable(),
    since: z.int(),
    sleep_until: z.int().nullable(),
    wake_on: z.unknown().nullable(),
    llm_budget_micro_usd: z.int(),
    llm_tokens_left: z.int(),
    steps: z.int(),
    last_step_at: z.int().nullable(),
    last_error: z.string().nullable(),
    memory_id: z.string(),
    listing_id: z.string().nullable().describe('Its open escrow listing, if control of it is for sale.'),
    inventory: z.record(z.string(), z.unknown()).describe('Its balances, the public artifacts it owns, its open listings and its debts.'),
  }),
  annotations: READ,
  handler: (ctx, args) => {
    const a = agentFor(ctx, args.id, 'see the status of', true);
    const { ledger, rates, artifacts } = ctx.services;
    return {
      id: a.id,
      owner: artifacts.meta(a.id)!.owner,
      state: a.state,
      reason: a.state_reason,
      since: a.state_at,
      sleep_until: a.sleep_until,
      wake_on: a.wake_on === null ? null : (JSON.parse(a.wake_on) as unknown),
      llm_budget_micro_usd: ledger.balance(a.id, 'llm_budget_micro_usd'),
      llm_tokens_left: rates.status(a.id, 'llm_tokens', ctx.now).remaining,
      steps: a.steps,
      last_step_at: a.last_step_at,
      last_error: a.last_error,
      memory_id: a.memory_id,
      listing_id: artifacts.meta(a.id)!.listing,
      inventory: inventoryOf(ctx, a.id),
    };
  },
});
