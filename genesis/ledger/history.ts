import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { READ, assetEnum, cursorArg, limitArg, pageSize, principalArg } from '../shared.ts';

export const history = defineMethod({
  artifact: 'genesis_ledger',
  name: 'history',
  tool: 'ledger_history',
  title: 'Ledger history',
  description:
    'List the journal entries that moved your assets, oldest first: transfers, prices paid, approvals drawn, grants, burns. Page with cursor/next_cursor. Each principal sees only its own entries.',
  input: z.object({
    principal: principalArg('Must be you (the default); kept for symmetry with ledger_balance.').optional(),
    asset: assetEnum.optional().describe('Only entries of this asset.'),
    cursor: cursorArg,
    limit: limitArg,
  }),
  output: z.object({
    principal: z.string(),
    entries: z.array(
      z.object({
        seq: z.int(),
        at: z.int(),
        asset: assetEnum,
        kind: z.enum(['transfer', 'issue', 'burn']),
        from: z.string(),
        to: z.string(),
        amount: z.int(),
        cause: z.string(),
        command_id: z.string(),
      }),
    ),
    next_cursor: z.int(),
    has_more: z.boolean(),
  }),
  annotations: READ,
  handler: (ctx, args) => {
    const principal = args.principal ?? ctx.caller;
    ctx.services.artifacts.requirePrincipal(principal, 'principal');
    // Journal rows carry amounts and causes (a sealed bid is one); only their owner reads them.
    if (principal !== ctx.caller && ctx.caller !== 'genesis_operator') {
      throw new KernelError('ACCESS_DENIED', `Only ${principal} can read its journal entries. Its balances are public: use ledger_balance.`, { principal });
    }
    const page = ctx.services.ledger.history(principal, {
      ...(args.asset === undefined ? {} : { asset: args.asset }),
      after: args.cursor ?? 0,
      limit: pageSize(ctx, args.limit),
    });
    return {
      principal,
      entries: page.entries.map((e) => ({ seq: e.seq, at: e.at, asset: e.asset, kind: e.kind, from: e.from_id, to: e.to_id, amount: e.amount, cause: e.cause, command_id: e.command_id })),
      next_cursor: page.next_cursor,
      has_more: page.has_more,
    };
  },
});
