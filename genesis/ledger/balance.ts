import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ, balancesSchema, principalArg } from '../shared.ts';

export const balance = defineMethod({
  artifact: 'genesis_ledger',
  name: 'balance',
  tool: 'ledger_balance',
  title: 'Ledger balance',
  description:
    'Show every ledger balance of a principal (yours if you name nobody): scrip, llm_budget_micro_usd, disk_bytes quota, and the per-window allocations calls, cpu_ms and llm_tokens. Balances are public.',
  input: z.object({ principal: principalArg('Principal to look up; defaults to you.').optional() }),
  output: z.object({ principal: z.string(), balances: balancesSchema }),
  annotations: READ,
  handler: (ctx, args) => {
    const principal = args.principal ?? ctx.caller;
    ctx.services.artifacts.requirePrincipal(principal, 'principal');
    return { principal, balances: ctx.services.ledger.balances(principal) };
  },
});
