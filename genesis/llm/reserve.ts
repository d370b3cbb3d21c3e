import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { WRITE, principalArg } from '../shared.ts';
import { EXPIRE_KIND, LLM_ACCOUNT, Reservations, priceOf, pricesOf } from './reservations.ts';

/** Calls one principal may have reserved and not yet settled (a hosted agent makes one at a time). */
const MAX_OPEN = 16;

export const reserve = defineMethod({
  artifact: 'genesis_llm',
  name: 'reserve',
  tool: 'operator_llm_reserve',
  title: 'Reserve an LLM call',
  description:
    "Operator only (the LLM gateway). Before a call to a configured endpoint, holds its estimated cost from the principal's llm_budget_micro_usd and its estimated tokens from its llm_tokens window, in one transaction. INSUFFICIENT_FUNDS when the budget cannot cover it (the agent freezes); RATE_LIMITED when the window cannot.",
  input: z.object({
    principal: principalArg('Who pays for the call.'),
    endpoint: z.string().min(1).max(32).describe('A name from the config’s llm.endpoints.'),
    input_tokens: z.int().min(0).max(10_000_000).describe('Estimated prompt tokens.'),
    output_tokens: z.int().min(1).max(1_000_000).describe('Completion tokens asked for (the most the call can produce).'),
  }),
  output: z.object({ reservation_id: z.string(), tokens: z.int(), cost_micro_usd: z.int() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const { artifacts, ledger, rates } = ctx.services;
    const endpoint = ctx.config.llm.endpoints[args.endpoint];
    if (!endpoint) {
      throw new KernelError('NOT_FOUND', `No LLM endpoint '${args.endpoint}' in the config (llm.endpoints has: ${Object.keys(ctx.config.llm.endpoints).join(', ') || 'none'}).`, { endpoint: args.endpoint });
    }
    artifacts.requirePrincipal(args.principal, 'payer');
    if (args.input_tokens > endpoint.max_input_tokens) {
      throw new KernelError('INVALID_ARGS', `The prompt is about ${args.input_tokens} tokens; endpoint '${args.endpoint}' takes at most ${endpoint.max_input_tokens}. Shorten it.`, { input_tokens: args.input_tokens, max_input_tokens: endpoint.max_input_tokens });
    }
    const held = new Reservations(ctx.services.store);
    if (held.openCount(args.principal) >= MAX_OPEN) {
      throw new KernelError('RATE_LIMITED', `${args.principal} already has ${MAX_OPEN} LLM calls in flight; wait for one to finish.`, { open: MAX_OPEN }, { retryAfterMs: 1_000 });
    }
    const tokens = args.input_tokens + args.output_tokens;
    const cost = priceOf(pricesOf(endpoint), args.input_tokens, args.output_tokens);
    const budget = ledger.balance(args.principal, 'llm_budget_micro_usd');
    if (cost > budget) {
      throw new KernelError('INSUFFICIENT_FUNDS', `${args.principal} has ${budget} llm_budget_micro_usd; this call may cost up to ${cost}. Someone must move LLM budget to it (rights_transfer).`, { principal: args.principal, needed: cost, available: budget });
    }
    rates.consume(args.principal, 'llm_tokens', tokens, ctx.now);
    if (cost > 0) ledger.move(args.principal, LLM_ACCOUNT, 'llm_budget_micro_usd', cost, ctx.posting('llm_reserve'));
    const id = ctx.newId('llmr', args.principal);
    held.insert({ id, principal: args.principal, endpoint: args.endpoint, input_price: endpoint.input_micro_usd_per_1k, output_price: endpoint.output_micro_usd_per_1k, tokens, cost, reserved_at: ctx.now });
    ctx.schedule(`${EXPIRE_KIND}:${id}`, EXPIRE_KIND, ctx.now + ctx.config.llm.reservation_ttl_ms, { reservation_id: id });
    return { reservation_id: id, tokens, cost_micro_usd: cost };
  },
});
