import * as z from 'zod';
import { KernelError, invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod, type HandlerContext } from '../../src/kernel/genesis.ts';
import { isRateResource } from '../../src/kernel/ledger.ts';
import { requireRecipient, WRITE, amountArg, principalArg } from '../shared.ts';

export const RIGHTS = ['disk_bytes', 'llm_budget_micro_usd', 'calls', 'cpu_ms', 'llm_tokens'] as const;

export const transfer = defineMethod({
  artifact: 'genesis_rights',
  name: 'transfer',
  tool: 'rights_transfer',
  title: 'Transfer rights',
  description:
    "Give part of your rights to another principal: disk quota (disk_bytes), LLM budget (llm_budget_micro_usd), or per-window allocation of calls, cpu_ms or llm_tokens. Only the unused part moves: disk you occupy and window usage already spent stay yours. Takes effect at once.",
  input: z.object({
    to: principalArg('Recipient principal.'),
    resource: z.enum(RIGHTS).describe('Which right to transfer.'),
    amount: amountArg('How much (bytes, micro-dollars or units per window).'),
  }),
  output: z.object({ from: z.string(), to: z.string(), resource: z.enum(RIGHTS), amount: z.int(), remaining: z.int() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    if (args.to === ctx.caller) throw invalidArgs('You cannot transfer rights to yourself. Name another principal in `to`.', { to: args.to });
    requireRecipient(ctx, args.to, 'recipient');
    const held = moveRight(ctx, ctx.caller, args.to, args.resource, args.amount);
    ctx.emit('rights_transferred', { principal: ctx.caller, artifact: args.to }, { from: ctx.caller, to: args.to, resource: args.resource, amount: args.amount });
    return { from: ctx.caller, to: args.to, resource: args.resource, amount: args.amount, remaining: held - args.amount };
  },
});

/**
 * Moves `amount` of a right from `from` (the caller) to `to`: only its unused part (disk not occupied, window not
 * spent). INSUFFICIENT_FUNDS, moving nothing, if that is less. Returns what `from` held before.
 */
export function moveRight(ctx: Pick<HandlerContext, 'services' | 'now' | 'posting'>, from: string, to: string, resource: (typeof RIGHTS)[number], amount: number): number {
  const { ledger, artifacts, rates } = ctx.services;
  const held = ledger.balance(from, resource);
  const inUse = resource === 'disk_bytes' ? artifacts.diskUsed(from) : isRateResource(resource) ? rates.status(from, resource, ctx.now).used : 0;
  const free = Math.max(0, held - inUse);
  if (amount > free) {
    throw new KernelError(
      'INSUFFICIENT_FUNDS',
      `You hold ${held} ${resource}, of which ${inUse} is in use, so at most ${free} can be transferred. ${resource === 'disk_bytes' ? 'Delete artifacts to free disk.' : isRateResource(resource) ? 'Wait for your window to roll forward.' : ''}`.trim(),
      { resource, held, in_use: inUse, transferable: free, requested: amount },
    );
  }
  ledger.move(from, to, resource, amount, ctx.posting(`rights:${resource}`));
  return held;
}
