import * as z from 'zod';
import { KernelError } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE } from '../shared.ts';
import { award, payUbi } from './resolve.ts';
import { MINT, MintState } from './state.ts';

export const recordScore = defineMethod({
  artifact: 'genesis_mint',
  name: 'record_score',
  tool: 'operator_mint_record_score',
  title: 'Record an asynchronous mint score',
  description:
    "Operator only (the host's scoring loop). Settles a winner whose score came back from the LLM: mints score / ratio and pays the held price out as UBI; or, if scoring failed, refunds the price (refund_on_failure) or pays it out with nothing minted.",
  input: z.object({
    auction: z.int().min(1),
    artifact_id: z.string().min(1).max(64),
    score: z.int().min(0).max(100).optional().describe('Absent when scoring failed.'),
    reason: z.string().max(2_000),
  }),
  output: z.object({ auction: z.int(), artifact_id: z.string(), score: z.int().optional(), minted: z.int(), refunded: z.int() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const state = new MintState(ctx.services.store);
    const p = state.takePending(args.auction, args.artifact_id);
    if (!p) throw new KernelError('NOT_FOUND', `No score is pending for ${args.artifact_id} in auction ${args.auction}; it was settled already.`, { auction: args.auction });
    let score: number | null = args.score ?? null;
    let reason = args.reason;
    const original = score === null ? undefined : state.duplicateOf(p.artifact_id, p.code_hash, ctx.now);
    if (original) {
      reason = `duplicate of ${original}`;
      score = 0;
    }
    let minted = 0;
    let refunded = 0;
    if (score !== null) {
      minted = award(ctx, state, p, p.code_hash, score, p.auction);
      payUbi(ctx, p.auction, p.price, [p.bidder]);
    } else if (ctx.config.mint.llm.refund_on_failure) {
      refunded = p.price;
      if (refunded > 0) ctx.services.ledger.move(MINT, p.bidder, 'scrip', refunded, ctx.posting(`mint_refund:${p.auction}:score_failed`));
    } else {
      payUbi(ctx, p.auction, p.price, [p.bidder]);
    }
    const result = state.auction(p.auction);
    if (result) {
      result.winners = result.winners.map((w) => (w.artifact_id === p.artifact_id ? { ...w, score, minted, pending: false, reason } : w));
      state.update(result);
    }
    ctx.emit('mint_scored', { principal: p.bidder, artifact: p.artifact_id }, { auction: p.auction, artifact_id: p.artifact_id, score, minted, reason });
    return { auction: p.auction, artifact_id: p.artifact_id, ...(score === null ? {} : { score }), minted, refunded };
  },
});
