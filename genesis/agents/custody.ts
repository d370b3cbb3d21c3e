import type { HandlerContext } from '../../src/kernel/genesis.ts';
import { Agents } from './store.ts';

/**
 * Selling control of a hosted agent (escrow): what the buyer pays for must not be emptied or steered by the
 * seller meanwhile. Listed, the agent is in escrow's custody: no host steps it (Agents.claim skips listed
 * agents), every allowance it granted is revoked (the seller could have had it approve a wallet of theirs),
 * and every bearer token for it is revoked. Sold, it waits asleep for its new owner to read and rewrite its
 * config and wake it (agent_wake), so it never takes a step under the seller's instructions.
 */
/** Whether `id` is a hosted agent (principals the operator made are agents too, but nobody's to sell). */
export function isHostedAgent(ctx: HandlerContext, id: string): boolean {
  return new Agents(ctx.services.store).get(id) !== undefined;
}

export function takeAgentIntoCustody(ctx: HandlerContext, id: string): { allowances_revoked: number; tokens_revoked: number } {
  const { store, tokens } = ctx.services;
  const allowances = store.run('DELETE FROM allowances WHERE approver = ?', id).changes;
  const revoked = tokens.revoke(id, ctx.now).length;
  return { allowances_revoked: allowances, tokens_revoked: revoked };
}

export function handAgentOver(ctx: HandlerContext, id: string, to: string): void {
  new Agents(ctx.services.store).holdForNewOwner(id, `sold to ${to}: asleep until its new owner reviews its config (artifact_write) and wakes it (agent_wake)`, ctx.now);
}
