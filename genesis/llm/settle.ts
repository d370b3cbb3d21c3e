import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { WRITE } from '../shared.ts';
import { EXPIRE_KIND, LLM_ACCOUNT, Reservations, priceOf, type Reservation } from './reservations.ts';
import type { SettleContext } from '../../src/kernel/scheduler.ts';

type Ctx = Pick<SettleContext, 'services' | 'now' | 'posting' | 'emit'>;


const tokens = z.int().min(0).max(100_000_000);

export const settle = defineMethod({
  artifact: 'genesis_llm',
  name: 'settle',
  tool: 'operator_llm_settle',
  title: 'Settle an LLM call',
  description:
    "Operator only (the LLM gateway). Settles a reservation from the call's actual usage: the cost at the reserved prices is burned, the rest of the reservation returns to the principal, and usage beyond it is charged as far as the principal's budget goes (never below zero). Unused tokens return to the principal's llm_tokens window.",
  input: z.object({
    reservation_id: z.string().min(1).max(64),
    input_tokens: tokens.describe('Prompt tokens the endpoint reported (or the estimate, when it reported none).'),
    output_tokens: tokens.describe('Completion tokens the endpoint reported.'),
    outcome: z.enum(['ok', 'error']).describe('Whether the call produced a usable reply; a failed call still pays what it burned.'),
  }),
  output: z.object({ reservation_id: z.string(), charged_micro_usd: z.int(), refunded_micro_usd: z.int(), tokens: z.int(), budget_left: z.int() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const r = new Reservations(ctx.services.store).get(args.reservation_id);
    if (!r) throw new KernelError('NOT_FOUND', `No LLM reservation '${args.reservation_id}'.`, { reservation_id: args.reservation_id });
    if (r.state !== 'open') throw new KernelError('CONFLICT', `LLM reservation '${r.id}' is already settled.`, { reservation_id: r.id });
    ctx.unschedule(`${EXPIRE_KIND}:${r.id}`);
    return settleReservation(ctx, r, args.input_tokens, args.output_tokens, args.outcome);
  },
});

/**
 * Settles `r` at the given usage, in the caller's transaction. Money: the reservation is held by the LLM
 * account; the actual cost is burned from it, the rest goes back, and any excess is burned from the
 * principal's own budget, capped at what it has. Tokens: the reservation's window entry shrinks to the
 * usage, or usage beyond it is charged to the window as far as it allows.
 */
export function settleReservation(ctx: Ctx, r: Reservation, inputTokens: number, outputTokens: number, outcome: string) {
  const { ledger, rates, artifacts } = ctx.services;
  const used = inputTokens + outputTokens;
  const actual = priceOf({ input: r.input_price, output: r.output_price }, inputTokens, outputTokens);
  const fromHold = Math.min(actual, r.cost);
  const back = r.cost - fromHold;
  const alive = artifacts.isPrincipal(r.principal);
  if (fromHold > 0) ledger.burn(LLM_ACCOUNT, 'llm_budget_micro_usd', fromHold, ctx.posting('llm_usage'));
  // A principal deleted mid-call cannot be credited: what it would get back is burned with the rest.
  if (back > 0) {
    if (alive) ledger.move(LLM_ACCOUNT, r.principal, 'llm_budget_micro_usd', back, ctx.posting('llm_refund'));
    else ledger.burn(LLM_ACCOUNT, 'llm_budget_micro_usd', back, ctx.posting('llm_refund_unclaimed'));
  }
  const extra = alive ? Math.min(actual - fromHold, ledger.balance(r.principal, 'llm_budget_micro_usd')) : 0;
  if (extra > 0) ledger.burn(r.principal, 'llm_budget_micro_usd', extra, ctx.posting('llm_usage'));
  if (used < r.tokens) rates.refund(r.principal, 'llm_tokens', r.tokens - used, r.reserved_at);
  else if (used > r.tokens && alive) rates.charge(r.principal, 'llm_tokens', used - r.tokens, ctx.now);
  const charged = fromHold + extra;
  new Reservations(ctx.services.store).close(r.id, ctx.now, { input_tokens: inputTokens, output_tokens: outputTokens, charged, outcome });
  ctx.emit('llm_call', { principal: r.principal }, { endpoint: r.endpoint, input_tokens: inputTokens, output_tokens: outputTokens, cost_micro_usd: charged, outcome });
  return { reservation_id: r.id, charged_micro_usd: charged, refunded_micro_usd: alive ? back : 0, tokens: used, budget_left: alive ? ledger.balance(r.principal, 'llm_budget_micro_usd') : 0 };
}

/**
 * A reservation whose process died before settling it: the call may have been made and billed, so it
 * is settled at its estimate (everything reserved is spent; nothing is created or lost).
 */
export function settleExpiry(ctx: SettleContext, payload: unknown): void {
  const r = new Reservations(ctx.services.store).get((payload as { reservation_id: string }).reservation_id);
  if (!r || r.state !== 'open') return;
  if (r.cost > 0) ctx.services.ledger.burn(LLM_ACCOUNT, 'llm_budget_micro_usd', r.cost, ctx.posting('llm_usage_lost'));
  new Reservations(ctx.services.store).close(r.id, ctx.now, { input_tokens: r.tokens, output_tokens: 0, charged: r.cost, outcome: 'lost' });
  ctx.emit('llm_call', { principal: r.principal }, { endpoint: r.endpoint, input_tokens: r.tokens, output_tokens: 0, cost_micro_usd: r.cost, outcome: 'lost' });
}
