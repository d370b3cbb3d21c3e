import * as z from 'zod';
import { invalidArgs } from '../../src/kernel/errors.ts';
import { requireHandoverContract } from '../../src/kernel/contracts.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { requireReleasable } from '../../src/kernel/artifact.ts';
import { WRITE, artifactIdArg, principalArg } from '../shared.ts';
import { EXPIRE_KIND, expiryId, listingsOf } from './shared.ts';
import { isHostedAgent, takeAgentIntoCustody } from '../agents/custody.ts';

export const list = defineMethod({
  artifact: 'genesis_escrow',
  name: 'list',
  tool: 'escrow_list',
  title: 'List an artifact for sale',
  description:
    "Put an artifact up for sale at a price. Escrow takes custody in this same call (its contract must let you transfer it), so nobody can sell it twice or front-run you; while listed it cannot be written, deleted or transferred, but reads and invokes follow its contract. Only artifacts under genesis_contract_freeware or genesis_contract_private can be listed, and of those with their own ledger account only hosted agents: selling one sells control of it (its config and what it holds); while listed it takes no step, and any allowance it granted and any token for it are revoked. Optionally restrict the buyer and set an expiry. Returns the listing_id buyers use with escrow_purchase.",
  input: z.object({
    artifact_id: artifactIdArg('The artifact to sell.'),
    price: z.int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Scrip the buyer pays you.'),
    buyer: principalArg('Only this principal may buy.').optional(),
    expires_in_s: z.int().min(1).max(365 * 86_400).optional().describe('Seconds until the listing lapses and the artifact is released.'),
  }),
  output: z.object({ listing_id: z.string(), artifact_id: z.string(), price: z.int(), buyer: z.string().optional(), expires_at: z.int().optional() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const { artifacts } = ctx.services;
    const a = artifacts.requireMeta(args.artifact_id);
    requireReleasable(a, 'sold', 'listed again');
    // What the buyer gets must stay what it was: a contract others may act under (a code contract its author
    // can rewrite, public, self_owned), or an account with its own approvals, could take back what was paid for.
    requireHandoverContract(a, 'others could change or take back what the buyer paid for', 'listing');
    // An account is sold only as a hosted agent (control of it: its config, and what it holds); others, such as
    // wallets, are not for sale: sell what they own instead.
    const agent = a.has_standing && isHostedAgent(ctx, a.id);
    if (a.has_standing && !agent) throw invalidArgs(`'${a.id}' has its own ledger account; escrow sells artifacts and hosted agents, not accounts. Sell the artifacts it owns instead.`, { id: a.id });
    if (args.price > ctx.config.limits.max_price) throw invalidArgs(`price must be at most ${ctx.config.limits.max_price}.`, { limit: ctx.config.limits.max_price });
    // The same right that lets you give it away lets you sell it: custody is taken from a verified holder.
    ctx.authorize('transfer', a);
    artifacts.requirePrincipal(ctx.caller, 'seller');
    if (args.buyer !== undefined) {
      artifacts.requirePrincipal(args.buyer, 'buyer');
      if (args.buyer === ctx.caller) throw invalidArgs('You cannot restrict a listing to yourself.', {});
    }
    const id = ctx.newId('lst', a.id);
    const expiresAt = args.expires_in_s === undefined ? null : ctx.now + args.expires_in_s * 1000;
    listingsOf(ctx.services).insert({ id, artifact_id: a.id, seller: ctx.caller, price: args.price, buyer: args.buyer ?? null, expires_at: expiresAt, created_at: ctx.now });
    artifacts.setListing(a.id, id);
    if (agent) takeAgentIntoCustody(ctx, a.id);
    if (expiresAt !== null) ctx.schedule(expiryId(id), EXPIRE_KIND, expiresAt, { listing_id: id });
    ctx.emit('escrow_listed', { principal: ctx.caller, artifact: a.id }, {
      listing_id: id,
      price: args.price,
      ...(args.buyer ? { buyer: args.buyer } : {}),
      ...(expiresAt === null ? {} : { expires_at: expiresAt }),
    });
    return { listing_id: id, artifact_id: a.id, price: args.price, ...(args.buyer ? { buyer: args.buyer } : {}), ...(expiresAt === null ? {} : { expires_at: expiresAt }) };
  },
});
