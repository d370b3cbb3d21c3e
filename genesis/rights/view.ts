import * as z from 'zod';
import { RATE_RESOURCES } from '../../src/kernel/ledger.ts';
import type { Services } from '../../src/kernel/services.ts';

/** A principal's quotas and rate windows, shared by rights_quotas and world_whoami. */
export const rateStatusSchema = z.object({ allocation: z.int(), used: z.int(), remaining: z.int(), window_ms: z.int() });

export const quotasSchema = z.object({
  disk: z.object({ quota: z.int(), used: z.int(), available: z.int() }),
  llm_budget_micro_usd: z.int(),
  rates: z.object({ calls: rateStatusSchema, cpu_ms: rateStatusSchema, llm_tokens: rateStatusSchema }),
});

export function quotasView(s: Services, principal: string, now: number): z.input<typeof quotasSchema> {
  const quota = s.ledger.balance(principal, 'disk_bytes');
  const used = s.artifacts.diskUsed(principal);
  const rates = Object.fromEntries(RATE_RESOURCES.map((r) => [r, s.rates.status(principal, r, now)])) as z.input<typeof quotasSchema>['rates'];
  return {
    disk: { quota, used, available: Math.max(0, quota - used) },
    llm_budget_micro_usd: s.ledger.balance(principal, 'llm_budget_micro_usd'),
    rates,
  };
}
