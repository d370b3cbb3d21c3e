import * as z from 'zod';
import { assert, invalidArgs } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { SEARCH_SORTS } from '../../src/kernel/search.ts';
import { effectivePrice } from '../../src/kernel/artifact.ts';
import { READ, cursorArg, heartbeat, kindEnum, lastActionSchema, limitArg, pageSize, principalArg, statsSchema, statsView } from '../shared.ts';

const resultSchema = z.object({
  id: z.string(),
  kind: kindEnum,
  description: z.string(),
  owner: z.string(),
  has_standing: z.boolean(),
  can_execute: z.boolean(),
  methods: z.array(z.object({ name: z.string(), price: z.int().describe('What a call costs now.'), next_price: z.int().optional().describe('An announced rise, in effect from next_price_at.'), next_price_at: z.int().optional() })),
  version: z.int(),
  updated_at: z.int(),
  deleted_at: z.int().optional(),
  stats: statsSchema,
  last_action_at: lastActionSchema,
});

export const search = defineMethod({
  artifact: 'genesis_store',
  name: 'search',
  tool: 'store_search',
  title: 'Search artifacts',
  description:
    "Find artifacts by words in their id, description and method names, and filter by kind, owning principal, standing or executability. Results show methods with prices and usage stats (the invocation registry), and for principals when they last acted, never content; artifacts whose contract hides them from you are left out. Find agents with kind 'agent'. Sort by relevance, newest, id, invocations, success_rate, paying_invokers, last_used or last_action. Page with cursor/next_cursor.",
  input: z.object({
    query: z.string().optional().describe('Words to match (prefixes count); omit to list everything.'),
    kind: kindEnum.optional().describe('Only this kind.'),
    principal: principalArg('Only artifacts owned by this principal.').optional(),
    has_standing: z.boolean().optional().describe('true: only principals; false: only non-principals.'),
    can_execute: z.boolean().optional().describe('true: only invocable artifacts.'),
    include_deleted: z.boolean().optional().describe('Also list tombstones.'),
    sort: z.enum(SEARCH_SORTS).optional().describe('Order of results (default relevance, or newest without a query).'),
    cursor: cursorArg,
    limit: limitArg,
  }),
  output: z.object({ results: z.array(resultSchema), next_cursor: z.int(), has_more: z.boolean() }),
  annotations: READ,
  handler: (ctx, args) => {
    if (args.query !== undefined && args.query.length > ctx.config.limits.max_search_query_chars) {
      throw invalidArgs(`query is longer than ${ctx.config.limits.max_search_query_chars} characters.`, { limit: ctx.config.limits.max_search_query_chars });
    }
    const size = pageSize(ctx, args.limit);
    const q = {
      ...(args.query === undefined ? {} : { query: args.query }),
      ...(args.kind === undefined ? {} : { kind: args.kind }),
      ...(args.principal === undefined ? {} : { owner: args.principal }),
      ...(args.has_standing === undefined ? {} : { has_standing: args.has_standing }),
      ...(args.can_execute === undefined ? {} : { can_execute: args.can_execute }),
      include_deleted: args.include_deleted ?? false,
      sort: args.sort ?? 'relevance',
      visibleTo: ctx.caller,
      fallback: ctx.config.contracts.default,
    };
    const offset = args.cursor ?? 0;
    // One more than a page says whether there is more; the query already left out what the caller may not see.
    const rows = ctx.services.search.candidates(q, offset, size + 1);
    const found = rows.slice(0, size);
    for (const a of found) assert(a.deleted_at !== null || ctx.canSee(a), `search showed ${a.id}, which ${ctx.caller} may not discover`);
    const hasMore = rows.length > size;
    const nextCursor = offset + found.length;
    return {
      results: found.map((a) => ({
        id: a.id,
        kind: a.kind,
        description: a.deleted_at === null ? a.description : '',
        owner: a.owner,
        has_standing: a.has_standing,
        can_execute: a.can_execute,
        methods: (a.interface ?? []).map((m) => {
          const now = effectivePrice(a, m, ctx.now);
          return { name: m.name, price: now, ...(now === m.price ? {} : { next_price: m.price, next_price_at: a.prices_held![m.name]!.until }) };
        }),
        version: a.version,
        updated_at: a.updated_at,
        ...(a.deleted_at === null ? {} : { deleted_at: a.deleted_at }),
        stats: statsView(ctx.services.stats.get(a.id)),
        ...heartbeat(ctx.services.stats, a),
      })),
      next_cursor: nextCursor,
      has_more: hasMore,
    };
  },
});
