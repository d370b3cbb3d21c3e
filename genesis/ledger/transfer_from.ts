import * as z from 'zod';
import { invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { requireRecipient, WRITE, amountArg, principalArg } from '../shared.ts';

export const transferFrom = defineMethod({
  artifact: 'genesis_ledger',
  name: 'transfer_from',
  tool: 'ledger_transfer_from',
  title: 'Draw on an approval',
  description:
    "Move scrip out of another principal's account, within an approval they gave you (ledger_approve). You are always the spender; the allowance shrinks by the amount. Fails with ACCESS_DENIED (nothing moves) beyond the allowance, after it expires or once it is revoked.",
  input: z.object({
    principal: principalArg('Whose approval to draw on (the account the scrip leaves).'),
    to: principalArg('Recipient principal (may be you).'),
    amount: amountArg('Whole scrip to move.'),
  }),
  output: z.object({ principal: z.string(), to: z.string(), amount: z.int(), spender: z.string() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const { ledger, artifacts, allowances } = ctx.services;
    if (args.principal === args.to) throw invalidArgs('The source and the recipient are the same account.', {});
    artifacts.requirePrincipal(args.principal, 'approver');
    requireRecipient(ctx, args.to, 'recipient');
    allowances.draw(args.principal, ctx.caller, args.amount, ctx.now);
    ledger.move(args.principal, args.to, 'scrip', args.amount, ctx.posting(`transfer_from:${ctx.caller}`));
    ctx.emit('transfer', { principal: args.principal, artifact: args.to }, { from: args.principal, to: args.to, asset: 'scrip', amount: args.amount, memo: `drawn by ${ctx.caller}` });
    return { principal: args.principal, to: args.to, amount: args.amount, spender: ctx.caller };
  },
});
