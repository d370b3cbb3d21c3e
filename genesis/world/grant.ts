import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE, amountArg, assetEnum, principalArg } from '../shared.ts';

export const grant = defineMethod({
  artifact: 'genesis_world',
  name: 'grant',
  tool: 'operator_grant',
  title: 'Grant assets',
  description: 'Operator only. Issues new units of an asset to a principal, journalled as issued by the mint.',
  input: z.object({ to: principalArg('Recipient principal.'), asset: assetEnum, amount: amountArg('Units to issue.') }),
  output: z.object({ to: z.string(), asset: assetEnum, amount: z.int(), balance: z.int() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    ctx.services.artifacts.requirePrincipal(args.to, 'recipient');
    ctx.services.ledger.issue(args.to, args.asset, args.amount, ctx.posting('grant'));
    return { to: args.to, asset: args.asset, amount: args.amount, balance: ctx.services.ledger.balance(args.to, args.asset) };
  },
});
