import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ } from '../shared.ts';
import { MintState, SCHEDULE_ID } from './state.ts';

const winnerSchema = z.object({
  artifact_id: z.string(),
  bidder: z.string(),
  score: z.int().optional().describe('Absent while pending or if scoring failed.'),
  minted: z.int(),
  pending: z.boolean(),
  reason: z.string(),
});

export const status = defineMethod({
  artifact: 'genesis_mint',
  name: 'status',
  tool: 'mint_status',
  title: 'Mint status',
  description:
    'The mint auction: when it next resolves, its rules (slots, minimum bid, mint ratio, how artifacts are scored), your own live bids, how many bids are live, and the last results (winners, clearing price, scores, scrip minted, UBI paid). Other bidders\' amounts stay sealed; their deposits are public.',
  input: z.object({}),
  output: z.object({
    world_time: z.int(),
    next_resolution_at: z.int(),
    period_ms: z.int(),
    slots: z.int(),
    minimum_bid: z.int(),
    mint_ratio: z.int(),
    scorer: z.enum(['usage', 'llm']),
    scoring: z.string(),
    live_bids: z.int(),
    your_bids: z.array(z.object({ artifact_id: z.string(), amount: z.int().describe('Your sealed bid.'), deposit: z.int().describe('What the mint holds for it (public).'), placed_at: z.int() })),
    last: z
      .object({
        auction: z.int(),
        resolved_at: z.int(),
        price: z.int(),
        bids: z.int(),
        winners: z.array(winnerSchema),
        ubi_each: z.int(),
        ubi_recipients: z.int(),
        ubi_burned: z.int(),
      })
      .optional(),
  }),
  annotations: READ,
  handler: (ctx) => {
    const m = ctx.config.mint;
    const state = new MintState(ctx.services.store);
    const last = state.last();
    return {
      world_time: ctx.now,
      next_resolution_at: ctx.services.store.one<{ due_at: number }>('SELECT due_at FROM scheduled WHERE id = ?', SCHEDULE_ID)?.due_at ?? 0,
      period_ms: m.period_ms,
      slots: m.slots,
      minimum_bid: m.minimum_bid,
      mint_ratio: m.mint_ratio,
      scorer: m.scorer,
      scoring: scoringRule(ctx.config.mint),
      live_bids: state.countBids(),
      your_bids: state.bidsOf(ctx.caller).map((b) => ({ artifact_id: b.artifact_id, amount: b.amount, deposit: b.deposit, placed_at: b.placed_at })),
      ...(last
        ? {
            last: {
              auction: last.auction,
              resolved_at: last.resolved_at,
              price: last.price,
              bids: last.bids,
              winners: last.winners.map((w) => ({ artifact_id: w.artifact_id, bidder: w.bidder, ...(w.score === null ? {} : { score: w.score }), minted: w.minted, pending: w.pending, reason: w.reason })),
              ubi_each: last.ubi.each,
              ubi_recipients: last.ubi.recipients,
              ubi_burned: last.ubi.burned,
            },
          }
        : {}),
    };
  },
});

/** The scoring rule in words, from the config (shown in mint_status and the handbook). */
export function scoringRule(m: { scorer: 'usage' | 'llm'; usage_points_per_payer: number; mint_ratio: number }): string {
  const minted = `scrip minted = floor(score / ${m.mint_ratio})`;
  if (m.scorer === 'usage') {
    return `score = min(100, ${m.usage_points_per_payer} x the number of distinct principals other than the owner whose calls paid its price since it was last scored; a call made through a wallet counts as its maker's, and only principals the world created count); ${minted}; code identical to an artifact already scored (ignoring comments and whitespace) scores 0.`;
  }
  return `an LLM grades the artifact's code, as it was when it won, from 0 to 100 for usefulness, correctness, structure, error handling and originality; ${minted}; copied code scores 0.`;
}
