import * as z from 'zod';
import { invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE, artifactIdArg } from '../shared.ts';

export const approve = defineMethod({
  artifact: 'genesis_ledger',
  name: 'approve',
  tool: 'ledger_approve',
  title: 'Approve a spender',
  description:
    'Let a spender (a principal, or an artifact such as a debt contract) draw up to amount scrip from your account with ledger_transfer_from, until it expires. Replaces any earlier approval to the same spender; amount 0 revokes it. Approvals show in ledger_balance.',
  input: z.object({
    spender: artifactIdArg('Who may draw: a principal or an artifact id.'),
    amount: z.int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Most scrip the spender may draw in total; 0 revokes.'),
    expires_in_s: z.int().min(1).max(10 * 365 * 86_400).optional().describe('Seconds until the approval lapses; omit for no expiry.'),
  }),
  output: z.object({ approver: z.string(), spender: z.string(), amount: z.int(), expires_at: z.int().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: (ctx, args) => {
    // Only an account can grant a draw on itself; an artifact without one has nothing to approve.
    ctx.services.artifacts.requirePrincipal(ctx.caller, 'approver');
    if (args.spender === ctx.caller) throw invalidArgs('You cannot approve yourself; you already control your account.', {});
    ctx.services.artifacts.requireMeta(args.spender);
    const expiresAt = args.expires_in_s === undefined ? null : ctx.now + args.expires_in_s * 1000;
    ctx.services.allowances.set(ctx.caller, args.spender, args.amount, expiresAt, ctx.now);
    return { approver: ctx.caller, spender: args.spender, amount: args.amount, ...(expiresAt === null ? {} : { expires_at: expiresAt }) };
  },
});
