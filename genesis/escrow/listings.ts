import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ, artifactIdArg, cursorArg, limitArg, pageSize, principalArg } from '../shared.ts';
import { listingSchema, listingView, listingsOf } from './shared.ts';

export const listings = defineMethod({
  artifact: 'genesis_escrow',
  name: 'listings',
  tool: 'escrow_listings',
  title: 'Browse listings',
  description: 'List active escrow listings, oldest first: what is for sale, by whom, at what price and until when. Filter by artifact, seller, or listings reserved for you. Page with cursor/next_cursor.',
  input: z.object({
    artifact_id: artifactIdArg('Only listings of this artifact.').optional(),
    principal: principalArg('Only listings by this seller.').optional(),
    for_me: z.boolean().optional().describe('Only listings reserved for you as buyer.'),
    cursor: cursorArg,
    limit: limitArg,
  }),
  output: z.object({ listings: z.array(listingSchema), next_cursor: z.int(), has_more: z.boolean() }),
  annotations: READ,
  handler: (ctx, args) => {
    const size = pageSize(ctx, args.limit);
    const offset = args.cursor ?? 0;
    const rows = listingsOf(ctx.services).active(
      {
        ...(args.artifact_id === undefined ? {} : { artifact_id: args.artifact_id }),
        ...(args.principal === undefined ? {} : { seller: args.principal }),
        ...(args.for_me ? { buyer: ctx.caller } : {}),
      },
      offset,
      size + 1,
    );
    const page = rows.slice(0, size);
    return { listings: page.map(listingView), next_cursor: offset + page.length, has_more: rows.length > size };
  },
});
