import * as z from 'zod';
import { CONTROL_CHARS, OPERATOR } from '../../src/kernel/artifact.ts';
import { KernelError, notFound } from '../../src/kernel/errors.ts';
import { defineMethod, type GenesisArtifactDef, type HandlerContext } from '../../src/kernel/genesis.ts';
import { READ, WRITE, assetEnum } from '../shared.ts';
import { CapabilityRequests, type RequestRow } from './store.ts';

/** The custody account: offers wait here until the operator decides. */
export const CAPABILITIES_ACCOUNT = 'genesis_capabilities';
const PAGE = 50;
const requestId = z.string().regex(/^cap_[a-f0-9]{24}$/).describe('The request, from capability_request or capability_list.');

const view = z.object({
  id: z.string(),
  capability: z.string(),
  status: z.enum(['open', 'granted', 'denied']),
  demand: z.int().describe("Principals backing it, by maker (an agent's wallets and spawned agents count as the agent)."),
  offered: z.int().describe('Scrip offered in all, held until decided.'),
  created_at: z.int(),
  decided_at: z.int().nullable(),
  note: z.string().nullable().describe("The operator's note, once decided."),
  mine: z.object({ reason: z.string(), offer: z.int() }).nullable().describe('Your own reason and offer, if you back it.'),
  backers: z.array(z.object({ principal: z.string(), reason: z.string(), offer: z.int() })).optional().describe('Operator only: everyone backing it.'),
});

function present(ctx: HandlerContext, reqs: CapabilityRequests, r: RequestRow & { demand: number; offered: number }): z.input<typeof view> {
  const mine = reqs.backer(r.id, ctx.caller);
  return {
    id: r.id,
    capability: r.capability,
    status: r.status,
    demand: r.demand,
    offered: r.offered,
    created_at: r.created_at,
    decided_at: r.decided_at,
    note: r.note,
    mine: mine ? { reason: mine.reason, offer: mine.offer } : null,
    ...(ctx.caller === OPERATOR ? { backers: reqs.backers(r.id).map((b) => ({ principal: b.principal, reason: b.reason, offer: b.offer })) } : {}),
  };
}

export const request = defineMethod({
  artifact: CAPABILITIES_ACCOUNT,
  name: 'request',
  tool: 'capability_request',
  title: 'Ask the operator for a capability',
  description:
    "Asks the world's human operator for something scrip cannot buy here (an API key, a paid service, a bridge to an outside tool, more budget). Say why in reason. offer is scrip you will pay if it is granted: held in custody until the operator decides, refunded if denied. Asking for what someone already asked for backs their request (demand counts); asking again tops up your offer. Find the answer with capability_list or events_read.",
  input: z.object({
    capability: z.string().min(3).max(1_000).describe('What you need, in a few words: "GitHub API access", "a web search bridge".'),
    reason: z.string().min(1).max(20_000).describe('Why, and what you would do with it.'),
    offer: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe('Scrip you pay if granted (default 0).'),
  }),
  output: z.object({ id: z.string(), merged: z.boolean().describe('True if it joined an open request for the same thing.'), demand: z.int(), your_offer: z.int() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const c = ctx.config.capabilities;
    if (ctx.caller === OPERATOR) throw new KernelError('INVALID_ARGS', 'The operator grants capabilities; it does not request them.', {});
    const capability = args.capability.trim();
    // It is shown to the operator in a terminal (ecology capability list) and to every agent: text only.
    if (capability.search(CONTROL_CHARS) !== -1) throw new KernelError('INVALID_ARGS', 'capability must be plain text on one line: no control characters (newlines, escape sequences) or direction marks. Name it in a few words and explain in reason.', {});
    if (capability.length > c.max_capability_chars) throw new KernelError('INVALID_ARGS', `capability is ${capability.length} characters; the limit is ${c.max_capability_chars}. Name it in a few words and explain in reason.`, { limit: c.max_capability_chars });
    if (args.reason.length > c.max_reason_chars) throw new KernelError('INVALID_ARGS', `reason is ${args.reason.length} characters; the limit is ${c.max_reason_chars}. Shorten it.`, { limit: c.max_reason_chars });
    const reqs = new CapabilityRequests(ctx.services.store);
    const offer = args.offer ?? 0;
    let open = reqs.openFor(capability);
    const backing = open ? reqs.backer(open.id, ctx.caller) : undefined;
    if (!backing && reqs.openBackedBy(ctx.caller) >= c.max_open_per_principal) {
      throw new KernelError('LIMIT_EXCEEDED', `You back ${c.max_open_per_principal} open requests, the most at once. Wait for the operator to decide one (capability_list {mine: true}).`, { limit: c.max_open_per_principal });
    }
    const merged = open !== undefined;
    if (!open) {
      open = { id: ctx.newId('cap', capability), capability, status: 'open', created_by: ctx.caller, created_at: ctx.now, decided_at: null, decided_by: null, note: null, attached: null };
      reqs.insert(open);
    }
    // Held until decided: a caller who cannot afford its offer is refused here, and nothing is recorded.
    if (offer > 0) ctx.services.ledger.move(ctx.caller, CAPABILITIES_ACCOUNT, 'scrip', offer, ctx.posting(`capability offer:${open.id}`));
    reqs.back(open.id, ctx.caller, args.reason, offer, ctx.now);
    const demand = reqs.demand(open.id);
    ctx.emit('capability_requested', { principal: ctx.caller }, { request_id: open.id, capability: open.capability, demand, merged });
    return { id: open.id, merged, demand, your_offer: reqs.backer(open.id, ctx.caller)!.offer };
  },
});

export const list = defineMethod({
  artifact: CAPABILITIES_ACCOUNT,
  name: 'list',
  tool: 'capability_list',
  title: 'List capability requests',
  description: 'Capability requests: what is asked for, how many back it, what is offered, and, once decided, the answer and the operator\'s note. Yours show your own reason and offer; nobody else\'s reasons are shown. mine: only those you back; status: open, granted or denied. Pages of 50: pass next_cursor back as cursor.',
  input: z.object({ mine: z.boolean().optional(), status: z.enum(['open', 'granted', 'denied']).optional(), cursor: z.string().max(64).optional() }),
  output: z.object({ requests: z.array(view), next_cursor: z.string().nullable() }),
  annotations: READ,
  handler: (ctx, args) => {
    const reqs = new CapabilityRequests(ctx.services.store);
    const rows = reqs.page({ ...(args.status ? { status: args.status } : {}), ...(args.mine ? { backer: ctx.caller } : {}) }, args.cursor ?? null, PAGE + 1);
    const page = rows.slice(0, PAGE);
    return { requests: page.map((r) => present(ctx, reqs, r)), next_cursor: rows.length > PAGE ? page.at(-1)!.id : null };
  },
});

/** An open request, or the error that says why it cannot be decided. */
function openRequest(reqs: CapabilityRequests, id: string): RequestRow {
  const r = reqs.get(id);
  if (!r) throw notFound('Capability request', id, 'ecology capability list shows them.');
  if (r.status !== 'open') throw new KernelError('CONFLICT', `${id} was already ${r.status} at ${new Date(r.decided_at!).toISOString()}. A decision is final; the agents may ask again.`, { status: r.status });
  return r;
}

export const approve = defineMethod({
  artifact: CAPABILITIES_ACCOUNT,
  name: 'approve',
  tool: 'operator_capability_approve',
  title: 'Grant a capability request',
  description: 'Operator only (ecology capability approve). Grants an open request: the backers\' offers are paid to the operator, any grants are issued to each backer (once per maker: an agent\'s wallets and spawned agents share one), and what was attached (a bridge enabled, a note) is recorded for them to read.',
  input: z.object({
    id: requestId,
    note: z.string().max(2_000).optional().describe('Public: every principal can read it (capability_list, events). Never put a secret here.'),
    grants: z.array(z.object({ asset: assetEnum, amount: z.int().min(1).max(Number.MAX_SAFE_INTEGER) })).max(8).optional().describe('Issued to each backer, once per maker.'),
    bridge: z.string().regex(/^mcp_[a-z0-9_]{1,32}$/).optional().describe('A bridge enabled for it (ecology bridge add first).'),
  }),
  output: z.object({ id: z.string(), status: z.literal('granted'), paid: z.int(), backers: z.int() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const reqs = new CapabilityRequests(ctx.services.store);
    const r = openRequest(reqs, args.id);
    const backers = reqs.backers(r.id);
    let paid = 0;
    // Grants go once per maker (to its first backer): backing through wallets or spawned agents multiplies nothing.
    const granted = new Set<string>();
    for (const b of backers) {
      if (b.offer > 0) ctx.services.ledger.move(CAPABILITIES_ACCOUNT, OPERATOR, 'scrip', b.offer, ctx.posting(`capability granted:${r.id}`));
      paid += b.offer;
      const maker = ctx.services.artifacts.makerOf(b.principal);
      if (granted.has(maker)) continue;
      granted.add(maker);
      for (const g of args.grants ?? []) ctx.services.ledger.issue(b.principal, g.asset, g.amount, ctx.posting(`capability grant:${r.id}`));
    }
    if (args.bridge !== undefined && !ctx.services.artifacts.meta(args.bridge)) throw notFound('Bridge', args.bridge, 'Add it first: ecology bridge add.');
    const attached = { ...(args.grants ? { grants: args.grants } : {}), ...(args.bridge ? { bridge: args.bridge } : {}) };
    reqs.decide(r.id, 'granted', ctx.caller, ctx.now, args.note ?? null, JSON.stringify(attached));
    ctx.emit('capability_granted', { principal: r.created_by }, { request_id: r.id, capability: r.capability, note: args.note ?? null, attached });
    return { id: r.id, status: 'granted' as const, paid, backers: backers.length };
  },
});

export const deny = defineMethod({
  artifact: CAPABILITIES_ACCOUNT,
  name: 'deny',
  tool: 'operator_capability_deny',
  title: 'Deny a capability request',
  description: 'Operator only (ecology capability deny). Denies an open request and refunds every backer\'s offer; the note tells them why.',
  input: z.object({ id: requestId, note: z.string().max(2_000).optional() }),
  output: z.object({ id: z.string(), status: z.literal('denied'), refunded: z.int() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const reqs = new CapabilityRequests(ctx.services.store);
    const r = openRequest(reqs, args.id);
    let refunded = 0;
    for (const b of reqs.backers(r.id)) {
      if (b.offer > 0) ctx.services.ledger.move(CAPABILITIES_ACCOUNT, b.principal, 'scrip', b.offer, ctx.posting(`capability refund:${r.id}`));
      refunded += b.offer;
    }
    reqs.decide(r.id, 'denied', ctx.caller, ctx.now, args.note ?? null, null);
    ctx.emit('capability_denied', { principal: r.created_by }, { request_id: r.id, capability: r.capability, note: args.note ?? null, refunded });
    return { id: r.id, status: 'denied' as const, refunded };
  },
});

export const capabilitiesArtifact: GenesisArtifactDef = {
  id: CAPABILITIES_ACCOUNT,
  description: "Capability requests: agents ask the world's operator for what scrip cannot buy, offering scrip held here until decided.",
  hasStanding: true,
  methods: [request, list, approve, deny],
};
