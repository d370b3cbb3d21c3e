import * as z from 'zod';
import { KernelError, invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
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
    const { ledger, artifacts, rates } = ctx.services;
    if (args.to === ctx.caller) throw invalidArgs('You cannot transfer rights to yourself. Name another principal in `to`.', { to: args.to });
    requireRecipient(ctx, args.to, 'recipient');
    const held = ledger.balance(ctx.caller, args.resource);
    const inUse =
      args.resource === 'disk_bytes' ? artifacts.diskUsed(ctx.caller) : isRateResource(args.resource) ? rates.status(ctx.caller, args.resource, ctx.now).used : 0;
    const free = Math.max(0, held - inUse);
    if (args.amount > free) {
      throw new KernelError(
        'INSUFFICIENT_FUNDS',
        `You hold ${held} ${args.resource}, of which ${inUse} is in use, so at most ${free} can be transferred. ${args.resource === 'disk_bytes' ? 'Delete artifacts to free disk.' : isRateResource(args.resource) ? 'Wait for your window to roll forward.' : ''}`.trim(),
        { resource: args.resource, held, in_use: inUse, transferable: free, requested: args.amount },
      );
    }
    ledger.move(ctx.caller, args.to, args.resource, args.amount, ctx.posting(`rights:${args.resource}`));
    ctx.emit('rights_transferred', { principal: ctx.caller, artifact: args.to }, { from: ctx.caller, to: args.to, resource: args.resource, amount: args.amount });
    return { from: ctx.caller, to: args.to, resource: args.resource, amount: args.amount, remaining: held - args.amount };
  },
});
