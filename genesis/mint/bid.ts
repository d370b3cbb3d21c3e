import * as z from 'zod';
import { KernelError, accessDenied, invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE, artifactIdArg } from '../shared.ts';
import { MINT, MintState, SCHEDULE_ID } from './state.ts';

export const bid = defineMethod({
  artifact: 'genesis_mint',
  name: 'bid',
  tool: 'mint_bid',
  title: 'Bid in the mint auction',
  description:
    'Bid scrip to have one of your executable artifacts scored by the mint. Bids are sealed and accepted any time; each applies to the next resolution. Your bid is held until then; a new bid on the same artifact replaces the old one (which is returned). Winners pay the uniform clearing price (the best losing bid), get the rest back, and are minted scrip for their artifact\'s score.',
  input: z.object({
    artifact_id: artifactIdArg('An executable artifact you own.'),
    amount: z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Scrip to bid (held until resolution).'),
  }),
  output: z.object({ artifact_id: z.string(), amount: z.int(), replaced: z.boolean(), next_resolution_at: z.int() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const { artifacts, ledger } = ctx.services;
    const m = ctx.config.mint;
    if (args.amount < m.minimum_bid) throw invalidArgs(`The minimum bid is ${m.minimum_bid} scrip.`, { minimum_bid: m.minimum_bid });
    const a = artifacts.requireMeta(args.artifact_id);
    if (a.owner !== ctx.caller) throw accessDenied(`You can only bid on artifacts you own; '${a.id}' belongs to ${a.owner}.`, { id: a.id, owner: a.owner });
    if (!a.can_execute) throw invalidArgs(`'${a.id}' is not executable; the mint scores code others can call.`, { id: a.id });
    artifacts.requirePrincipal(ctx.caller, 'bidder');
    const state = new MintState(ctx.services.store);
    const prior = state.bid(ctx.caller, a.id);
    if (prior) ledger.move(MINT, ctx.caller, 'scrip', prior.amount, ctx.posting('mint_bid_replaced'));
    ledger.move(ctx.caller, MINT, 'scrip', args.amount, ctx.posting('mint_bid'));
    state.putBid({ bidder: ctx.caller, artifact_id: a.id, amount: args.amount, placed_at: ctx.now });
    ctx.emit('mint_bid', { principal: ctx.caller, artifact: a.id }, { artifact_id: a.id, action: prior ? 'replaced' : 'placed' });
    const next = ctx.services.store.one<{ due_at: number }>('SELECT due_at FROM scheduled WHERE id = ?', SCHEDULE_ID)?.due_at;
    if (next === undefined) throw new KernelError('INTERNAL', 'The mint has no resolution scheduled; reopen the world to reseed it.', {});
    return { artifact_id: a.id, amount: args.amount, replaced: prior !== undefined, next_resolution_at: next };
  },
});

export const cancelBid = defineMethod({
  artifact: 'genesis_mint',
  name: 'cancel',
  tool: 'mint_cancel',
  title: 'Withdraw a mint bid',
  description: 'Withdraw your live bid on an artifact before the next resolution; the whole amount is returned.',
  input: z.object({ artifact_id: artifactIdArg('The artifact you bid on.') }),
  output: z.object({ artifact_id: z.string(), refunded: z.int() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const state = new MintState(ctx.services.store);
    const b = state.bid(ctx.caller, args.artifact_id);
    if (!b) throw new KernelError('NOT_FOUND', `You have no live bid on '${args.artifact_id}'. See your bids with mint_status.`, { artifact_id: args.artifact_id });
    state.deleteBid(ctx.caller, args.artifact_id);
    ctx.services.ledger.move(MINT, ctx.caller, 'scrip', b.amount, ctx.posting('mint_bid_cancelled'));
    ctx.emit('mint_bid', { principal: ctx.caller, artifact: args.artifact_id }, { artifact_id: args.artifact_id, action: 'cancelled' });
    return { artifact_id: args.artifact_id, refunded: b.amount };
  },
});
