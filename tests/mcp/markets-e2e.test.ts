import { describe, expect, it } from 'vitest';
import { ERAS, httpClient, serveWorld, tokenFor, type Era } from '../helpers/mcp.ts';
import { openTestWorld } from '../helpers/world.ts';
import { runSession } from '../helpers/session.ts';
import { callHaiku, scrip, use, writeHaiku } from '../../src/mcp/handbook/steps.ts';
import type { Client } from '@modelcontextprotocol/client';
import type { SessionStep } from '../../src/mcp/handbook/index.ts';

/** Everyone's scrip at once: the economy is checked whole after every phase. */
const balances = (alice: number, bob: number, carol: number): SessionStep[] => [scrip('alice', alice), scrip('bob', bob), scrip('carol', carol)];

/**
 * Three principals use every institution in turn, over Streamable HTTP with the real SDK client and a
 * virtual clock. Scrip is 300 at the start; only the mint adds to it (2, for bob's winning tool).
 */
const SCENARIO: SessionStep[] = [
  ...balances(100, 100, 100),

  // 1. Alice sells her tool to bob through escrow.
  writeHaiku('alice'),
  { as: 'alice', tool: 'escrow_list', args: { artifact_id: 'haiku', price: 40 }, returns: { listing_id: '$listing' } },
  { as: 'carol', tool: 'escrow_purchase', args: { listing_id: '$listing', max_price: 30 }, fails: 'CONFLICT' },
  { as: 'bob', tool: 'escrow_purchase', args: { listing_id: '$listing' }, returns: { owner: 'bob', price: 40 } },
  ...balances(140, 60, 100),
  callHaiku('carol', 'rain'),
  callHaiku('alice', 'sun'),
  ...balances(137, 66, 97),

  // 2. Bob and alice bid in the mint; each sees only their own bid. Their balances show the deposits the
  //    mint holds (a bid rounded up to a power of two), never the bids.
  { as: 'bob', tool: 'mint_bid', args: { artifact_id: 'haiku', amount: 20 }, returns: { amount: 20, deposit: 32, next_resolution_at: '$next' } },
  {
    as: 'alice',
    tool: 'artifact_write',
    args: { id: 'limerick', kind: 'code', can_execute: true, code: 'export function write() { return { limerick: "There once was" }; }', interface: [{ name: 'write', description: 'A limerick.', inputSchema: { type: 'object' }, price: 1 }] },
    returns: { created: true },
  },
  { as: 'alice', tool: 'mint_bid', args: { artifact_id: 'limerick', amount: 8 }, returns: { amount: 8, deposit: 8 } },
  { as: 'alice', tool: 'mint_bid', args: { artifact_id: 'haiku', amount: 8 }, fails: 'ACCESS_DENIED' },
  { as: 'alice', tool: 'mint_status', args: {}, returns: { live_bids: 2, your_bids: [{ artifact_id: 'limerick', amount: 8, deposit: 8 }] } },
  ...balances(129, 34, 97),

  // 3. Resolution: bob wins and pays alice's bid (8), which goes to alice and carol as UBI; bob's tool was
  //    paid for by two others, so it scores 20 and is minted 2.
  { until: '$next' },
  {
    as: 'carol',
    tool: 'mint_status',
    args: {},
    returns: { live_bids: 0, last: { price: 8, bids: 2, winners: [{ artifact_id: 'haiku', bidder: 'bob', score: 20, minted: 2 }], ubi_each: 4, ubi_recipients: 2, ubi_burned: 0 } },
  },
  ...balances(141, 60, 101),

  // 4. Carol borrows 50 from alice at 2% a day and repays a day later with 1 of interest.
  { as: 'carol', tool: 'ledger_approve', args: { spender: 'genesis_debt', amount: 60 }, returns: { amount: 60 } },
  use('carol', 'genesis_debt', 'issue', { creditor: 'alice', principal: 50, interest_bps_per_day: 200, due_in_s: 3 * 86_400 }, { returns: { id: '$debt', status: 'pending' } }),
  use('alice', 'genesis_debt', 'accept', { debt_id: '$debt' }, { pay: 50, returns: { status: 'active' } }),
  ...balances(91, 60, 151),
  { wait_s: 86_400 },
  use('carol', 'genesis_debt', 'repay', { debt_id: '$debt' }, { pay: 51, returns: { status: 'repaid', paid: 51, returned: 0 } }),
  ...balances(142, 60, 100),

  // 5. Bob posts a bounty; carol does the work and is paid.
  use('bob', 'genesis_taskboard', 'post', { title: 'Translate the haiku', expires_in_s: 86_400 }, { pay: 15, returns: { id: '$task', bounty: 15 } }),
  { as: 'carol', tool: 'ledger_balance', args: { principal: 'genesis_taskboard' }, returns: { balances: { scrip: 15 } } },
  use('carol', 'genesis_taskboard', 'claim', { task_id: '$task' }, { returns: { status: 'claimed' } }),
  use('alice', 'genesis_taskboard', 'claim', { task_id: '$task' }, { fails: 'CONFLICT' }),
  use('carol', 'genesis_taskboard', 'submit', { task_id: '$task', result: 'haiku_fr' }, { returns: { status: 'submitted' } }),
  use('bob', 'genesis_taskboard', 'accept', { task_id: '$task' }, { returns: { status: 'done' } }),
  ...balances(142, 45, 115),
  { as: 'carol', tool: 'ledger_balance', args: { principal: 'genesis_taskboard' }, returns: { balances: { scrip: 0 } } },
];

describe('markets end to end through the real MCP client over HTTP', () => {
  it.each(ERAS)('escrow sale, mint auction with UBI, debt and a bounty, with exact balances (%s era)', async (era: Era) => {
    const t = await openTestWorld();
    const http = await serveWorld(t.world);
    const clients: Record<string, Client> = {};
    try {
      for (const p of ['alice', 'bob', 'carol']) {
        expect(t.world.createPrincipal(p, { scrip: 100 }).ok).toBe(true);
        clients[p] = await httpClient(http.url, tokenFor(t.world, p), era);
      }
      await runSession(SCENARIO, clients, t.clock);
      const supply = t.world.check().summary.supply.scrip;
      // 300 granted plus 2 minted, all held by the three; nothing is left in custody or burned.
      expect(supply).toEqual({ issued: 302, burned: 0, held: 302 });
    } finally {
      for (const c of Object.values(clients)) await c.close();
      await http.close();
      const report = t.world.check();
      await t.world.close();
      expect(report.violations).toEqual([]);
    }
  });
});
