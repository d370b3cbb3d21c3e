import * as z from 'zod';
import { KernelError } from '../../src/kernel/errors.ts';
import { defineMethod, type HandlerContext } from '../../src/kernel/genesis.ts';
import { requireReleasable } from '../../src/kernel/artifact.ts';
import { ASSETS, type Asset } from '../../src/kernel/ledger.ts';
import { DESTROY, artifactIdArg, maxFeeArg } from '../shared.ts';
import { openObligations } from './obligations.ts';
import { requireUnusedByOthers } from './write.ts';

/** Assets a principal must give away before it can be deleted; the rest (quotas, allocations) are burned. */
const VALUABLE: readonly Asset[] = ['scrip', 'llm_budget_micro_usd'];

function retirePrincipal(ctx: HandlerContext, id: string): void {
  const { ledger, artifacts } = ctx.services;
  const held = VALUABLE.filter((asset) => ledger.balance(id, asset) > 0);
  const owned = artifacts.countOwned(id);
  if (held.length > 0 || owned > 0) {
    throw new KernelError('CONFLICT', `Principal '${id}' still holds ${held.join(' and ') || 'no value'} and owns ${owned} live artifact(s). Transfer them away (ledger_transfer, rights_transfer, artifact_transfer) before deleting it.`, {
      id,
      holds: held,
      owns: owned,
    });
  }
  const open = openObligations(ctx, id);
  if (open.length > 0) {
    throw new KernelError('CONFLICT', `Principal '${id}' still has ${open.join('; ')}. Settle them before deleting it, so nothing is later paid to a deleted account.`, { id, open });
  }
  for (const asset of ASSETS) {
    const left = ledger.balance(id, asset);
    if (left > 0) ledger.burn(id, asset, left, ctx.posting('principal_deleted'));
  }
}

export const del = defineMethod({
  artifact: 'genesis_store',
  name: 'delete',
  tool: 'artifact_delete',
  title: 'Delete an artifact',
  description:
    "Delete an artifact your contract lets you delete. It leaves a tombstone (who and when); its content and code are removed and their bytes return to the owner's disk quota. The id cannot be reused. A principal can be deleted only once it holds no scrip or LLM budget, owns nothing else, and has no live mint bids, debts or tasks; its remaining quota and rate allocations are then burned and its approvals dropped.",
  input: z.object({ id: artifactIdArg('Artifact to delete.'), max_fee: maxFeeArg }),
  output: z.object({ id: z.string(), deleted_at: z.int(), freed_bytes: z.int() }),
  annotations: DESTROY,
  handler: (ctx, args) => {
    const { artifacts, ledger } = ctx.services;
    const a = artifacts.requireMeta(args.id);
    requireReleasable(a, 'deleted');
    ctx.authorize('delete', a, args.max_fee);
    if (a.kind === 'contract') requireUnusedByOthers(ctx, a, 'deleted');
    const t = artifacts.tombstone(a, ctx.caller, ctx.now);
    if (a.has_standing) retirePrincipal(ctx, a.id);
    // Nothing may be drawn from a deleted account, nor by a deleted artifact; it runs nothing any more.
    ctx.services.allowances.dropAll(a.id);
    ctx.services.libraries.unpin(a.id);
    ctx.emit('artifact_deleted', { principal: ctx.caller, artifact: a.id }, { version: t.version });
    return { id: a.id, deleted_at: t.deleted_at!, freed_bytes: a.size_bytes - t.size_bytes };
  },
});
