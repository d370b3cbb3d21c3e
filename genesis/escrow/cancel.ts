import * as z from 'zod';
import { accessDenied } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE } from '../shared.ts';
import { expiryId, release, requireActive } from './shared.ts';

export const cancel = defineMethod({
  artifact: 'genesis_escrow',
  name: 'cancel',
  tool: 'escrow_cancel',
  title: 'Cancel a listing',
  description: 'Withdraw your listing: the artifact is released unchanged. Only the seller can cancel, and only while it is unsold.',
  input: z.object({ listing_id: z.string().min(1).max(64).describe('Your listing.') }),
  output: z.object({ listing_id: z.string(), artifact_id: z.string(), status: z.enum(['cancelled']) }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const l = requireActive(ctx, args.listing_id);
    if (l.seller !== ctx.caller) throw accessDenied(`Only the seller (${l.seller}) can cancel listing '${l.id}'.`, { listing_id: l.id, seller: l.seller });
    release(ctx, l, 'cancelled');
    ctx.unschedule(expiryId(l.id));
    return { listing_id: l.id, artifact_id: l.artifact_id, status: 'cancelled' as const };
  },
});
