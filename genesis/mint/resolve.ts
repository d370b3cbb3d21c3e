import { MINT, MintState, RESOLVE_KIND, SCHEDULE_ID, codeHash, firstDue, tieRank, type AuctionResult, type Bid, type WinnerResult } from './state.ts';
import { OPERATOR } from '../../src/kernel/door.ts';
import type { SettleContext } from '../../src/kernel/scheduler.ts';

/** What awarding and UBI need: the settling command's services (a handler context serves too). */
type Payout = Pick<SettleContext, 'services' | 'config' | 'now' | 'posting' | 'emit'>;

/**
 * Sealed-bid, uniform-price auction. The top `slots` valid bids win and each pays the (slots+1)th bid
 * (the minimum bid if there is none); losers get everything back, winners get back what they bid over
 * the price. Ties rank by a hash of the world seed, the auction and the bid, never by arrival. What the
 * winners pay goes out as UBI; what the scorer awards is minted to them.
 */
export function resolveAuction(ctx: SettleContext, dueAt: number): void {
  const state = new MintState(ctx.services.store);
  // Idempotent: a resolution happens once per due time, whichever command gets there first.
  if (state.resolved(dueAt)) return scheduleNext(ctx, dueAt);
  const { services: s, config } = ctx;
  const m = config.mint;
  const auction = state.nextAuctionSeq();
  const refund = (b: Bid, amount: number, why: string) => {
    if (amount > 0) s.ledger.move(MINT, b.bidder, 'scrip', amount, ctx.posting(`mint_refund:${auction}:${why}`));
  };

  // A bid is void if its artifact is gone, no longer executable, or no longer the bidder's.
  const valid: Bid[] = [];
  for (const b of state.allBids()) {
    const a = s.artifacts.meta(b.artifact_id);
    if (a && a.deleted_at === null && a.can_execute && a.owner === b.bidder) valid.push(b);
    else refund(b, b.deposit, 'void');
  }
  const rank = new Map(valid.map((b) => [b, tieRank(s.store, auction, b)]));
  valid.sort((x, y) => y.amount - x.amount || (rank.get(x)! < rank.get(y)! ? -1 : 1));
  const winners = valid.slice(0, m.slots);
  const price = valid[m.slots]?.amount ?? m.minimum_bid;
  // Deposits come back whole, less the price for winners: the refunds reveal nothing of the sealed bids.
  for (const b of valid.slice(m.slots)) refund(b, b.deposit, 'lost');
  for (const b of winners) refund(b, b.deposit - price, 'change');
  state.clearBids();

  const results: WinnerResult[] = [];
  let scoredTotal = 0;
  for (const b of winners) {
    const code = s.artifacts.get(b.artifact_id)!.code;
    const hash = codeHash(code);
    if (m.scorer === 'llm') {
      // The price stays in custody until the asynchronous score decides where it goes.
      state.addPending({ auction, artifact_id: b.artifact_id, bidder: b.bidder, price, code_hash: hash, code });
      results.push({ artifact_id: b.artifact_id, bidder: b.bidder, score: null, minted: 0, pending: true, reason: 'awaiting LLM score' });
      continue;
    }
    const { score, reason } = usageScore(ctx, state, b, hash);
    const minted = award(ctx, state, b, hash, score, auction);
    results.push({ artifact_id: b.artifact_id, bidder: b.bidder, score, minted, pending: false, reason });
    scoredTotal += price;
  }
  const ubi = payUbi(ctx, auction, scoredTotal, winners.map((w) => w.bidder));
  const result: AuctionResult = { auction, due_at: dueAt, resolved_at: ctx.now, price, bids: valid.length, winners: results, ubi };
  state.record(result);
  ctx.emit('mint_resolved', { artifact: MINT }, { auction, price, bids: valid.length, winners: results.map(({ artifact_id, bidder, score, minted }) => ({ artifact_id, bidder, score, minted })) });
  scheduleNext(ctx, dueAt);
}

/** Usage score: points per distinct other principal who paid to use it since its last scoring; 0 for copied code. */
function usageScore(ctx: Payout, state: MintState, b: Bid, hash: string): { score: number; reason: string } {
  const dup = state.duplicateOf(b.artifact_id, hash, ctx.now);
  if (dup) return { score: 0, reason: `duplicate of ${dup}` };
  const payers = state.payersSince(b.artifact_id, ctx.services.artifacts.makerOf(b.bidder), state.lastScoredAt(b.artifact_id));
  const score = Math.min(100, payers * ctx.config.mint.usage_points_per_payer);
  return { score, reason: `${payers} distinct paying users since the last scoring` };
}

/** Mints score / ratio to the winner and marks the artifact scored. Returns the amount minted. */
export function award(ctx: Payout, state: MintState, b: Pick<Bid, 'bidder' | 'artifact_id'>, hash: string, score: number, auction: number): number {
  const minted = Math.floor(score / ctx.config.mint.mint_ratio);
  if (minted > 0) ctx.services.ledger.issue(b.bidder, 'scrip', minted, ctx.posting(`mint:${auction}:${b.artifact_id}`));
  state.markScored(b.artifact_id, hash, ctx.now);
  return minted;
}

/**
 * Splits `total` (held by the mint) equally among the world's own principals (created by the operator,
 * live, not genesis) other than `exclude`; the integer remainder is burned. Artifacts with standing that
 * agents create get nothing, even if made to own themselves, so nobody can multiply their share.
 */
export function payUbi(ctx: Payout, auction: number, total: number, exclude: string[]): AuctionResult['ubi'] {
  if (total === 0) return { total: 0, each: 0, recipients: 0, burned: 0 };
  const skip = new Set(exclude);
  const recipients = ctx.services.store
    .all<{ id: string }>(
      `SELECT a.id FROM artifacts a JOIN principals p ON p.id = a.id
       WHERE a.deleted_at IS NULL AND a.has_standing = 1 AND a.created_by = ? AND a.id NOT LIKE 'genesis\\_%' ESCAPE '\\' ORDER BY a.id`,
      OPERATOR,
    )
    .map((r) => r.id)
    .filter((id) => !skip.has(id));
  const each = recipients.length === 0 ? 0 : Math.floor(total / recipients.length);
  if (each > 0) for (const r of recipients) ctx.services.ledger.move(MINT, r, 'scrip', each, ctx.posting(`ubi:${auction}`));
  const burned = total - each * recipients.length;
  if (burned > 0) ctx.services.ledger.burn(MINT, 'scrip', burned, ctx.posting(`ubi_remainder:${auction}`));
  const ubi = { total, each, recipients: each > 0 ? recipients.length : 0, burned };
  ctx.emit('ubi', { artifact: MINT }, { auction, ...ubi });
  return ubi;
}

/** The next resolution: the first period boundary after now (empty periods while nobody looked are skipped). */
function scheduleNext(ctx: SettleContext, dueAt: number): void {
  const period = ctx.config.mint.period_ms;
  const next = dueAt + period * (Math.floor(Math.max(0, ctx.now - dueAt) / period) + 1);
  ctx.scheduler.schedule(SCHEDULE_ID, RESOLVE_KIND, next, { due_at: next });
}

/** Settler: resolves the auction that was due. */
export function settleResolution(ctx: SettleContext, payload: unknown): void {
  resolveAuction(ctx, (payload as { due_at: number }).due_at);
}

/** Seed: makes sure the next resolution is scheduled (once per world; later opens keep it). */
export function seedMint(ctx: SettleContext): void {
  if (ctx.scheduler.dueAt(SCHEDULE_ID) !== null) return;
  const last = new MintState(ctx.services.store).last();
  const first = last ? last.due_at + ctx.config.mint.period_ms : firstDue(ctx.services.store, ctx.config);
  ctx.scheduler.schedule(SCHEDULE_ID, RESOLVE_KIND, first, { due_at: first });
}
