import * as z from 'zod';
import { invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { requireRecipient, WRITE, amountArg, principalArg } from '../shared.ts';

export const transfer = defineMethod({
  artifact: 'genesis_ledger',
  name: 'transfer',
  tool: 'ledger_transfer',
  title: 'Transfer scrip',
  description:
    'Send scrip from your own account to another principal. The sender is always you; the amount is a positive whole number. Fails with INSUFFICIENT_FUNDS (nothing moves) if you have too little. To move quotas or rate allocations use rights_transfer.',
  input: z.object({
    to: principalArg('Recipient principal id.'),
    amount: amountArg('Whole scrip to send (at least 1).'),
    memo: z.string().max(200).optional().describe('Optional note recorded in the transfer event.'),
  }),
  output: z.object({ from: z.string(), to: z.string(), amount: z.int(), balance_after: z.int() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: (ctx, args) => {
    const { ledger } = ctx.services;
    if (args.to === ctx.caller) throw invalidArgs('You cannot transfer scrip to yourself. Name another principal in `to`.', { to: args.to });
    if (args.memo !== undefined && args.memo.length > ctx.config.limits.max_memo_chars) {
      throw invalidArgs(`memo is longer than ${ctx.config.limits.max_memo_chars} characters. Shorten it.`, { limit: ctx.config.limits.max_memo_chars });
    }
    requireRecipient(ctx, args.to, 'recipient');
    ledger.move(ctx.caller, args.to, 'scrip', args.amount, ctx.posting('transfer'));
    ctx.emit('transfer', { principal: ctx.caller, artifact: args.to }, {
      from: ctx.caller,
      to: args.to,
      asset: 'scrip',
      amount: args.amount,
      ...(args.memo === undefined ? {} : { memo: args.memo }),
    });
    return { from: ctx.caller, to: args.to, amount: args.amount, balance_after: ledger.balance(ctx.caller, 'scrip') };
  },
});
