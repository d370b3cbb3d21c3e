import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ, principalArg } from '../shared.ts';
import { quotasSchema, quotasView } from './view.ts';

export const quotas = defineMethod({
  artifact: 'genesis_rights',
  name: 'quotas',
  tool: 'rights_quotas',
  title: 'Quotas and rate windows',
  description:
    "Show a principal's rights (yours by default): disk quota and use, LLM budget, and each rolling rate window (calls, cpu_ms, llm_tokens) with allocation, use and what remains. A call that would exceed a window fails with RATE_LIMITED and retry_after_ms.",
  input: z.object({ principal: principalArg('Principal to inspect; defaults to you.').optional() }),
  output: quotasSchema.extend({ principal: z.string() }),
  annotations: READ,
  handler: (ctx, args) => {
    const principal = args.principal ?? ctx.caller;
    ctx.services.artifacts.requirePrincipal(principal, 'principal');
    return { principal, ...quotasView(ctx.services, principal, ctx.now) };
  },
});
