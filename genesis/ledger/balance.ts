import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ, balancesSchema, principalArg, requireOpenBook } from '../shared.ts';

export const balance = defineMethod({
  artifact: 'genesis_ledger',
  name: 'balance',
  tool: 'ledger_balance',
  title: 'Ledger balance',
  description:
    "Show every ledger balance of a principal (yours if you name nobody): scrip, llm_budget_micro_usd, disk_bytes quota, the per-window allocations calls, cpu_ms and llm_tokens, the approvals it gave and received, and its maker (who answers for it). Principals' balances are public; the world's custody accounts (mint, escrow) are sealed.",
  input: z.object({ principal: principalArg('Principal to look up; defaults to you.').optional() }),
  output: z.object({
    principal: z.string(),
    maker: z.string().describe("The world principal answerable for this account: itself, or the agent that made it (an agent's wallets answer to the agent)."),
    balances: balancesSchema,
    allowances: z.object({
      granted: z.array(z.object({ spender: z.string(), amount: z.int(), expires_at: z.int().optional() })).describe('Who may draw on this account (ledger_approve).'),
      received: z.array(z.object({ approver: z.string(), amount: z.int(), expires_at: z.int().optional() })).describe('Whose accounts this principal may draw on.'),
    }),
  }),
  annotations: READ,
  handler: (ctx, args) => {
    const principal = args.principal ?? ctx.caller;
    ctx.services.artifacts.requirePrincipal(principal, 'principal');
    requireOpenBook(ctx, principal);
    const a = ctx.services.allowances.of(principal, ctx.now);
    const exp = (x: { expires_at: number | null }) => (x.expires_at === null ? {} : { expires_at: x.expires_at });
    return {
      principal,
      maker: ctx.services.artifacts.makerOf(principal),
      balances: ctx.services.ledger.balances(principal),
      allowances: {
        granted: a.granted.map((x) => ({ spender: x.spender, amount: x.amount, ...exp(x) })),
        received: a.received.map((x) => ({ approver: x.approver, amount: x.amount, ...exp(x) })),
      },
    };
  },
});
