import { KernelError } from '../../src/kernel/errors.ts';
import type { HandlerContext } from '../../src/kernel/genesis.ts';
import { Agents } from './store.ts';

/**
 * Selling control of a hosted agent (escrow): what the buyer pays for must not be emptied or steered by the
 * seller meanwhile, nor afterwards. Listed, the agent is in escrow's custody: the kernel refuses every
 * command it makes (a step already in flight included), no host steps it, every approval it granted and every
 * token for it is revoked. Only a self-contained agent can be listed: it must own its memory (whose entries
 * its prompts recall) and no other principal (a sub-agent or wallet would keep acting for the seller). Sold, it
 * answers to the buyer (its maker, and so its queue lane and caps, move with it), is revoked again, and waits
 * asleep for its new owner to read and rewrite its config and wake it (agent_wake).
 */

/** Whether `id` is a hosted agent (principals the operator made are agents too, but nobody's to sell). */
export function isHostedAgent(ctx: HandlerContext, id: string): boolean {
  return new Agents(ctx.services.store).get(id) !== undefined;
}

function revokeAll(ctx: HandlerContext, id: string): void {
  ctx.services.store.run('DELETE FROM allowances WHERE approver = ?', id);
  ctx.services.tokens.revoke(id, ctx.now);
}

export function takeAgentIntoCustody(ctx: HandlerContext, id: string): void {
  const { store, artifacts } = ctx.services;
  const memoryId = new Agents(store).get(id)!.memory_id;
  const memory = artifacts.meta(memoryId);
  if (!memory || memory.deleted_at !== null || memory.owner !== id || memory.listing !== null) {
    throw new KernelError('CONFLICT', `${id} can be sold only with its own memory: ${memoryId} must exist, be owned by ${id} and not be listed. Give it back to ${id} first.`, { id, memory_id: memoryId });
  }
  const principals = store.all<{ id: string }>('SELECT id FROM artifacts WHERE owner = ? AND id <> ? AND has_standing = 1 AND deleted_at IS NULL LIMIT 5', id, id);
  if (principals.length > 0) {
    throw new KernelError('CONFLICT', `${id} owns other principals (${principals.map((p) => p.id).join(', ')}), which would keep acting as they were told. Sell or delete them first.`, { id, principals: principals.map((p) => p.id) });
  }
  revokeAll(ctx, id);
}

export function handAgentOver(ctx: HandlerContext, id: string, to: string): void {
  const { artifacts, store } = ctx.services;
  revokeAll(ctx, id);
  const maker = artifacts.makerOf(to);
  artifacts.setMaker(id, maker);
  artifacts.setMaker(new Agents(store).get(id)!.memory_id, maker);
  new Agents(store).holdForNewOwner(id, `sold to ${to}: asleep until its new owner reviews its config (artifact_write) and wakes it (agent_wake)`, ctx.now);
}
