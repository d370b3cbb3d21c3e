import * as z from 'zod';
import { ACTIONS, decideBuiltin, feeSchedule, isBuiltinContract } from '../../src/kernel/contracts.ts';
import type { ArtifactMeta } from '../../src/kernel/artifact.ts';
import type { HandlerContext } from '../../src/kernel/genesis.ts';

export const termsSchema = z
  .object({
    contract: z.string().describe('The contract that decides (after any fallback for a missing one).'),
    fees: z.object(Object.fromEntries(ACTIONS.map((a) => [a, z.int()])) as Record<(typeof ACTIONS)[number], z.ZodInt>).describe('The most its contract may charge you per action, in scrip; pass max_fee to accept a fee.'),
    listed: z.boolean().describe('Whether everyone may discover it (search, listings, info).'),
  })
  .describe("Its contract's declared terms, readable before you act.");

/** The terms a caller meets before acting on `a`: what its contract may charge, and whether it is listed. */
export function termsView(ctx: HandlerContext, a: ArtifactMeta): z.input<typeof termsSchema> {
  const id = a.access_contract_id;
  const contract = isBuiltinContract(id) ? undefined : ctx.services.artifacts.meta(id);
  if (contract && contract.deleted_at === null && contract.kind === 'contract') {
    return { contract: id, fees: feeSchedule(contract.terms), listed: contract.terms?.listed === true };
  }
  const builtin = isBuiltinContract(id) ? id : ctx.config.contracts.default;
  // A built-in contract charges nothing; it lists what it lets anyone read.
  const listed = decideBuiltin(builtin, { caller: '', target: a, action: 'read' }).allowed;
  return { contract: builtin, fees: feeSchedule(null), listed };
}
