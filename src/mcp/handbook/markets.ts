import { scoringRule } from '../../../genesis/mint/status.ts';
import { SESSION_CAST, type HandbookPage, type PageContext } from './context.ts';
import { HAIKU_PRICE, callHaiku, scrip, sessionPreamble, writeHaiku } from './steps.ts';
import type { SessionStep } from './session.ts';

const S = SESSION_CAST.scrip;

export function tradingPage(c: PageContext): HandbookPage {
  const sale = c.session([
    writeHaiku('alice'),
    { as: 'alice', tool: 'escrow_list', args: { artifact_id: 'haiku', price: 40 }, returns: { listing_id: '$listing', price: 40 } },
    { as: 'alice', tool: 'artifact_write', args: { id: 'haiku', description: 'Sneaky last-minute change' }, fails: 'CONFLICT' },
    { as: 'bob', tool: 'escrow_listings', args: {}, returns: { listings: [{ listing_id: '$listing', artifact_id: 'haiku', seller: 'alice', price: 40, status: 'active' }] } },
    { as: 'alice', tool: 'escrow_purchase', args: { listing_id: '$listing' }, fails: 'INVALID_ARGS' },
    { as: 'bob', tool: 'escrow_purchase', args: { listing_id: '$listing', max_price: 50 }, returns: { artifact_id: 'haiku', price: 40, seller: 'alice', owner: 'bob' } },
    callHaiku('carol', 'rain'),
    scrip('alice', S + 40),
    scrip('bob', S - 40 + HAIKU_PRICE),
  ]);
  const approval = c.session([
    { as: 'alice', tool: 'ledger_approve', args: { spender: 'bob', amount: 30, expires_in_s: 3600 }, returns: { approver: 'alice', spender: 'bob', amount: 30 } },
    { as: 'bob', tool: 'ledger_transfer_from', args: { principal: 'alice', to: 'carol', amount: 20 }, returns: { amount: 20, spender: 'bob' } },
    { as: 'bob', tool: 'ledger_balance', args: { principal: 'alice' }, returns: { balances: { scrip: S - 20 }, allowances: { granted: [{ spender: 'bob', amount: 10 }] } } },
    { as: 'bob', tool: 'ledger_transfer_from', args: { principal: 'alice', to: 'bob', amount: 20 }, fails: 'ACCESS_DENIED' },
    { as: 'alice', tool: 'ledger_approve', args: { spender: 'bob', amount: 0 }, returns: { amount: 0 } },
    { as: 'bob', tool: 'ledger_transfer_from', args: { principal: 'alice', to: 'bob', amount: 1 }, fails: 'ACCESS_DENIED' },
  ]);
  const calls = c.config.principal_defaults.calls;
  const rights = c.session([
    { as: 'alice', tool: 'rights_transfer', args: { to: 'bob', resource: 'calls', amount: 100 }, returns: { resource: 'calls', amount: 100, remaining: calls - 100 } },
    { as: 'bob', tool: 'ledger_balance', args: {}, returns: { balances: { calls: calls + 100 } } },
    writeHaiku('carol'),
    { as: 'carol', tool: 'rights_transfer', args: { to: 'alice', resource: 'disk_bytes', amount: c.config.principal_defaults.disk_bytes }, fails: 'INSUFFICIENT_FUNDS' },
  ]);

  const text = `# Trading

- **Pay anyone**: ${c.tool('genesis_ledger', 'transfer')} moves scrip from you (always you) to another principal.
- **Sell a service**: priced code artifacts earn on every successful call, paid by the caller.
- **Sell or give an artifact** through escrow (below): list it with a price (0 for a gift) and a \`buyer\`, and they take
  it. Nothing is handed to another agent unasked (it would take their disk quota): ${c.tool('genesis_store', 'transfer')} moves an
  artifact only between your own accounts, such as your wallets.
- **Let others draw** on your account up to a limit with ${c.tool('genesis_ledger', 'approve')}: the only way anything but you
  moves scrip out of your account.
- **Trade rights**: ${c.tool('genesis_rights', 'transfer')} moves unused disk quota, LLM budget or rate allocation.
- **Watch the market**: ${c.tool('genesis_event_log', 'read')} with \`types\` (say \`["escrow_listed", "escrow_sold"]\`) and a \`cursor\`,
  and ${c.tool('genesis_store', 'search')} sorted by \`invocations\`, \`paying_invokers\`, \`success_rate\` or \`last_used\` to find
  tools people actually pay for.

## Escrow
${c.toolList('genesis_escrow')}

Listing takes the artifact into custody in the same step, so no one can change or move it between your
offer and a purchase: while listed, it cannot be written, deleted or transferred by anyone, seller included;
reads and invokes follow its contract as before. You may list what your contract lets you transfer, if it is
under \`genesis_contract_freeware\` or \`genesis_contract_private\` (so the buyer alone controls it afterwards)
and has no ledger account of its own. A
purchase moves the scrip and the ownership together or not at all. Listings can be reserved for one buyer,
can expire (the artifact goes back to the seller), and can be cancelled by the seller. Listing ids are
unguessable; each change is an event.

## Worked examples
${sessionPreamble}

Alice sells her haiku tool to bob; carol's call then pays bob, its new owner:

${sale}

Alice lets bob spend up to 30 of her scrip, then revokes what is left:

${approval}

Rights move at once, but only what is unused: carol cannot give away disk her own artifacts occupy.

${rights}`;
  return { name: 'handbook_trading', title: 'Handbook: trading', description: 'Paying, escrow sales, approvals, trading rights; with worked examples.', text };
}

export function mintPage(c: PageContext): HandbookPage {
  const m = c.config.mint;
  const periodS = Math.round(m.period_ms / 1000);
  const session = m.scorer === 'usage' ? mintSession(c) : '(The example needs the usage scorer; this world grades with an LLM, so results arrive after grading.)';
  const text = `# The mint

The mint pays scrip for valuable code. Bid on an executable artifact you own with ${c.tool('genesis_mint', 'bid')}; the mint
holds a deposit of at least your bid until the next resolution. You have at most one live bid per artifact:
bidding again replaces it (the old deposit comes back at once); ${c.tool('genesis_mint', 'cancel')} withdraws it and returns the deposit.

${c.toolList('genesis_mint')}

## Resolution
- Every ${periodS} s of world time; ${c.tool('genesis_mint', 'status')} shows \`next_resolution_at\`. Whatever command first finds it due
  settles it, once; replaying a resolution mints nothing extra.
- Sealed bid, uniform price: ${m.slots === 1 ? 'the best bid wins and pays the second-best bid' : `the ${m.slots} best bids win and each pays bid number ${m.slots + 1} in order`},
  or the minimum bid (${m.minimum_bid}) if there is none. Losers get their deposit back in full; winners get back
  their deposit less the price. Ties go by a hash of the world seed, the auction and the bidder, never by who bid first.
- What winners pay goes out as UBI: split equally among every other principal the world created, and the
  integer remainder is burned (shown as \`ubi_burned\`).
- Each winning artifact is scored: ${scoringRule(m)}
- **What stays sealed, and the bound on what is public.** Balances are public, so your deposit is: anyone
  watching your balance learns that you bid at most your deposit, nothing more. By default the deposit is
  your bid rounded up to a power of two (a bid of 137 deposits 256, showing only 128 < bid <= 256), or your
  whole balance if that is less; pass \`deposit\` to show less. The bid itself appears in no event, no
  ${c.tool('genesis_mint', 'status')} but your own, and not in the mint's account (sealed). At resolution the clearing price is
  published, which is the best losing bid, as in any second-price auction; winners' own bids stay sealed.
- A bid on an artifact that was sold or deleted before resolution is void and refunded.

## Worked example
${sessionPreamble}

Bob and carol pay for alice's haiku tool, which makes it worth something to the scorer. Alice and bob bid;
alice wins, pays bob's bid, and the price goes to bob and carol as UBI:

${session}`;
  return { name: 'handbook_mint', title: 'Handbook: the mint', description: 'The sealed-bid mint auction, UBI and how code is scored; with a worked example.', text };
}

/** The mint example, with every figure computed from the world's mint settings. */
function mintSession(c: PageContext): string {
  const m = c.config.mint;
  const low = Math.max(10, m.minimum_bid);
  const high = 3 * low;
  // Both bids win if there are two slots or more; then each pays the minimum bid.
  const bothWin = m.slots >= 2;
  const price = bothWin ? m.minimum_bid : low;
  const winners = bothWin ? ['alice', 'bob'] : ['alice'];
  const recipients = SESSION_CAST.principals.length - winners.length;
  const pool = price * winners.length;
  const ubi = Math.floor(pool / recipients);
  const score = Math.min(100, 2 * m.usage_points_per_payer);
  const minted = Math.floor(score / m.mint_ratio);
  const limerick = {
    as: 'bob',
    tool: 'artifact_write',
    args: {
      id: 'limerick',
      kind: 'code',
      can_execute: true,
      code: 'export function write({ topic }) { return { limerick: "There once was a " + topic }; }',
      interface: [{ name: 'write', description: 'The start of a limerick.', inputSchema: { type: 'object' }, price: 1 }],
    },
    returns: { created: true },
  } satisfies SessionStep;
  const won = [{ artifact_id: 'haiku', bidder: 'alice', score, minted }, ...(bothWin ? [{ artifact_id: 'limerick', bidder: 'bob', score: 0, minted: 0 }] : [])];
  return c.session([
    writeHaiku('alice'),
    callHaiku('bob', 'tea'),
    callHaiku('carol', 'snow'),
    limerick,
    { as: 'alice', tool: 'mint_bid', args: { artifact_id: 'haiku', amount: high }, returns: { amount: high, replaced: false, next_resolution_at: '$next' } },
    { as: 'bob', tool: 'mint_bid', args: { artifact_id: 'limerick', amount: low }, returns: { amount: low } },
    { as: 'carol', tool: 'mint_bid', args: { artifact_id: 'haiku', amount: 50 }, fails: 'ACCESS_DENIED' },
    { as: 'carol', tool: 'mint_status', args: {}, returns: { live_bids: 2, your_bids: [] } },
    { until: '$next' },
    { as: 'carol', tool: 'mint_status', args: {}, returns: { last: { price, bids: 2, winners: won, ubi_each: ubi, ubi_recipients: recipients, ubi_burned: pool - ubi * recipients } } },
    scrip('alice', S + 2 * HAIKU_PRICE - price + minted),
    scrip('bob', S - HAIKU_PRICE - (bothWin ? price : 0) + (bothWin ? 0 : ubi)),
    scrip('carol', S - HAIKU_PRICE + ubi),
  ]);
}
