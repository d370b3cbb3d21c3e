import { GENESIS_CODE } from '../code/index.ts';
import { CapabilityRequests } from '../capabilities/store.ts';
import { MintState } from '../mint/state.ts';
import type { HandlerContext } from '../../src/kernel/genesis.ts';

/** Services whose records can name a principal as owed or owing: each exports `obligations({principal})`. */
const RECORD_KEEPERS = GENESIS_CODE.filter((c) => c.interface?.some((m) => m.name === 'obligations')).map((c) => c.id);

/**
 * What a principal still has open that would pay it later: scrip the world would refund or pay to it
 * (mint bids, winners awaiting a score, capability requests it backs) and the genesis services' records (debts, tasks). Deleting it
 * before these settle would send money to a tombstone, or leave it stuck where it was held.
 */
export function openObligations(ctx: HandlerContext, principal: string): string[] {
  const open: string[] = [];
  const mint = new MintState(ctx.services.store);
  const bids = mint.bidsOf(principal).length;
  if (bids > 0) open.push(`${bids} live mint bid(s): withdraw them with mint_cancel`);
  const pending = mint.pendingCountOf(principal);
  if (pending > 0) open.push(`${pending} mint win(s) awaiting a score: wait for the score`);
  // A backer is refunded if the request is denied and issued its grants if approved.
  const backing = new CapabilityRequests(ctx.services.store).openBackedBy(principal);
  if (backing > 0) open.push(`${backing} open capability request(s) it backs: wait for the operator to decide them (capability_list {mine: true})`);
  for (const service of RECORD_KEEPERS) {
    const { open: n } = ctx.invoke(service, 'obligations', { principal }) as { open: number };
    if (n > 0) open.push(`${n} open item(s) with ${service}: settle or cancel them (${service}.list)`);
  }
  return open;
}
