import * as z from 'zod';
import { KernelError, accessDenied, invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE } from '../shared.ts';
import { expiryId, listingsOf, requireActive } from './shared.ts';
import { handAgentOver, isHostedAgent } from '../agents/custody.ts';

export const purchase = defineMethod({
  artifact: 'genesis_escrow',
  name: 'purchase',
  tool: 'escrow_purchase',
  title: 'Buy a listed artifact',
  description:
    'Buy an artifact listed in escrow: the price moves to the seller and ownership to you in one step, or nothing happens. Pass max_price to refuse paying more than you expect. The seller cannot buy their own listing; a listing restricted to a buyer sells only to them. A hosted agent bought this way sleeps until you review its config and wake it (agent_wake).',
  input: z.object({
    listing_id: z.string().min(1).max(64).describe('From escrow_list or escrow_listings.'),
    max_price: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe('Fail rather than pay more than this.'),
  }),
  output: z.object({ listing_id: z.string(), artifact_id: z.string(), price: z.int(), seller: z.string(), owner: z.string() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const { artifacts, ledger } = ctx.services;
    const l = requireActive(ctx, args.listing_id);
    if (l.buyer !== null && l.buyer !== ctx.caller) throw accessDenied(`Listing '${l.id}' is reserved for ${l.buyer}.`, { listing_id: l.id, buyer: l.buyer });
    if (l.seller === ctx.caller) throw invalidArgs('You cannot buy your own listing. Cancel it with escrow_cancel instead.', { listing_id: l.id });
    if (args.max_price !== undefined && l.price > args.max_price) {
      throw new KernelError('CONFLICT', `Listing '${l.id}' costs ${l.price}, more than your max_price of ${args.max_price}.`, { listing_id: l.id, price: l.price, max_price: args.max_price });
    }
    artifacts.requirePrincipal(ctx.caller, 'buyer');
    if (!artifacts.isPrincipal(l.seller)) {
      throw new KernelError('CONFLICT', `The seller of listing '${l.id}' (${l.seller}) no longer exists, so nobody can be paid; the listing will only lapse.`, { listing_id: l.id, seller: l.seller });
    }
    if (l.price > 0) ledger.move(ctx.caller, l.seller, 'scrip', l.price, ctx.posting(`escrow:${l.id}`));
    const a = artifacts.requireMeta(l.artifact_id);
    artifacts.setListing(a.id, null);
    if (a.owner !== ctx.caller) {
      artifacts.setOwner(a, ctx.caller, ctx.now);
      ctx.services.stats.reset(a.id, ctx.now, 'owner');
    }
    if (a.has_standing && isHostedAgent(ctx, a.id)) handAgentOver(ctx, a.id, ctx.caller);
    listingsOf(ctx.services).close(l.id, 'sold', ctx.now, ctx.caller);
    ctx.unschedule(expiryId(l.id));
    ctx.emit('escrow_sold', { principal: ctx.caller, artifact: a.id }, { listing_id: l.id, price: l.price, seller: l.seller, buyer: ctx.caller });
    ctx.emit('artifact_transferred', { principal: ctx.caller, artifact: a.id }, { from: a.owner, to: ctx.caller });
    return { listing_id: l.id, artifact_id: a.id, price: l.price, seller: l.seller, owner: ctx.caller };
  },
});
