import * as z from 'zod';
import { KernelError } from '../../src/kernel/errors.ts';
import { ListingStore, type Listing } from './listings-store.ts';
import type { SettleContext } from '../../src/kernel/scheduler.ts';
import type { Services } from '../../src/kernel/services.ts';

export const ESCROW = 'genesis_escrow';
export const EXPIRE_KIND = 'escrow_expire';
export const listingsOf = (s: Services) => new ListingStore(s.store);
export const expiryId = (listing: string) => `escrow:${listing}`;

export const listingSchema = z.object({
  listing_id: z.string(),
  artifact_id: z.string(),
  seller: z.string(),
  price: z.int(),
  buyer: z.string().optional().describe('Only this principal may buy.'),
  expires_at: z.int().optional(),
  status: z.enum(['active', 'sold', 'cancelled', 'expired']),
  created_at: z.int(),
});

export function listingView(l: Listing): z.input<typeof listingSchema> {
  return {
    listing_id: l.id,
    artifact_id: l.artifact_id,
    seller: l.seller,
    price: l.price,
    ...(l.buyer ? { buyer: l.buyer } : {}),
    ...(l.expires_at === null ? {} : { expires_at: l.expires_at }),
    status: l.status,
    created_at: l.created_at,
  };
}

/** The active listing, or a clear error: unknown, closed, or past its expiry (which settles it now). */
export function requireActive(ctx: Pick<SettleContext, 'services' | 'now' | 'emit'>, id: string): Listing {
  const listings = listingsOf(ctx.services);
  const l = listings.get(id);
  if (!l) throw new KernelError('NOT_FOUND', `There is no escrow listing '${id}'. Find listings with escrow_listings.`, { listing_id: id });
  if (l.status === 'active' && l.expires_at !== null && l.expires_at <= ctx.now) expire(ctx, l);
  const now = listings.get(id)!;
  if (now.status !== 'active') {
    throw new KernelError('CONFLICT', `Listing '${id}' is ${now.status}${now.closed_at ? ` since ${new Date(now.closed_at).toISOString()}` : ''}. Look for another listing.`, { listing_id: id, status: now.status });
  }
  return now;
}

/** Ends a listing without a sale: the artifact is released to its owner unchanged. Idempotent. */
export function release(ctx: Pick<SettleContext, 'services' | 'now' | 'emit'>, l: Listing, status: 'cancelled' | 'expired'): boolean {
  if (!listingsOf(ctx.services).close(l.id, status, ctx.now)) return false;
  ctx.services.artifacts.setListing(l.artifact_id, null);
  ctx.emit(status === 'cancelled' ? 'escrow_cancelled' : 'escrow_expired', { principal: l.seller, artifact: l.artifact_id }, { listing_id: l.id });
  return true;
}

function expire(ctx: Pick<SettleContext, 'services' | 'now' | 'emit'>, l: Listing): void {
  release(ctx, l, 'expired');
}

/** The settler for listing expiry: runs once, in whichever command first finds it due. */
export function settleExpiry(ctx: SettleContext, payload: unknown): void {
  const id = (payload as { listing_id: string }).listing_id;
  const l = listingsOf(ctx.services).get(id);
  if (l && l.status === 'active' && l.expires_at !== null && l.expires_at <= ctx.now) expire(ctx, l);
}
