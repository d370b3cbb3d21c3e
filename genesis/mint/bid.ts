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
    'Bid scrip to have one of your executable artifacts scored by the mint. Bids are sealed and accepted any time; each applies to the next resolution. The mint holds a deposit of at least your bid until then: balances are public, so the deposit is all others can learn (your bid is at most it). By default the deposit is your bid rounded up to a power of two (or your whole balance, if less); pass deposit to reveal less. A new bid on the same artifact replaces the old one (its deposit is returned). Winners pay the uniform clearing price (the best losing bid) and get the rest of their deposit back; everyone else gets the whole deposit back.',
  input: z.object({
    artifact_id: artifactIdArg('An executable artifact you own.'),
    amount: z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Your bid in scrip: sealed until resolution.'),
    deposit: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('Scrip the mint holds until resolution, at least amount; public. Default: amount rounded up to a power of two, or your balance if less.'),
  }),
  output: z.object({ artifact_id: z.string(), amount: z.int(), deposit: z.int(), replaced: z.boolean(), next_resolution_at: z.int() }),
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
    if (prior) ledger.move(MINT, ctx.caller, 'scrip', prior.deposit, ctx.posting('mint_bid_replaced'));
    const deposit = args.deposit ?? maskingDeposit(args.amount, ledger.balance(ctx.caller, 'scrip'));
    if (deposit < args.amount) throw invalidArgs(`deposit (${deposit}) must be at least your bid (${args.amount}): the mint holds it to cover the bid.`, { amount: args.amount, deposit });
    ledger.move(ctx.caller, MINT, 'scrip', deposit, ctx.posting('mint_bid'));
    state.putBid({ bidder: ctx.caller, artifact_id: a.id, amount: args.amount, deposit, placed_at: ctx.now });
    ctx.emit('mint_bid', { principal: ctx.caller, artifact: a.id }, { artifact_id: a.id, action: prior ? 'replaced' : 'placed' });
    const next = ctx.services.store.one<{ due_at: number }>('SELECT due_at FROM scheduled WHERE id = ?', SCHEDULE_ID)?.due_at;
    if (next === undefined) throw new KernelError('INTERNAL', 'The mint has no resolution scheduled; reopen the world to reseed it.', {});
    return { artifact_id: a.id, amount: args.amount, deposit, replaced: prior !== undefined, next_resolution_at: next };
  },
});

/**
 * The default deposit: the bid rounded up to a power of two, so the public deposit says only that the
 * bid lies in (deposit/2, deposit]; capped at the bidder's balance (then it says only bid <= balance),
 * never below the bid.
 */
export function maskingDeposit(amount: number, balance: number): number {
  let p = 1;
  while (p < amount && p * 2 <= Number.MAX_SAFE_INTEGER) p *= 2;
  return Math.max(amount, Math.min(p < amount ? amount : p, balance));
}

export const cancelBid = defineMethod({
  artifact: 'genesis_mint',
  name: 'cancel',
  tool: 'mint_cancel',
  title: 'Withdraw a mint bid',
  description: 'Withdraw your live bid on an artifact before the next resolution; the whole deposit is returned.',
  input: z.object({ artifact_id: artifactIdArg('The artifact you bid on.') }),
  output: z.object({ artifact_id: z.string(), refunded: z.int() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const state = new MintState(ctx.services.store);
    const b = state.bid(ctx.caller, args.artifact_id);
    if (!b) throw new KernelError('NOT_FOUND', `You have no live bid on '${args.artifact_id}'. See your bids with mint_status.`, { artifact_id: args.artifact_id });
    state.deleteBid(ctx.caller, args.artifact_id);
    ctx.services.ledger.move(MINT, ctx.caller, 'scrip', b.deposit, ctx.posting('mint_bid_cancelled'));
    ctx.emit('mint_bid', { principal: ctx.caller, artifact: args.artifact_id }, { artifact_id: args.artifact_id, action: 'cancelled' });
    return { artifact_id: args.artifact_id, refunded: b.deposit };
  },
});
