import * as z from 'zod';
import { ARTIFACT_KINDS, ID_PATTERN, ID_RULE, MAX_ID_CHARS, OPERATOR, RESERVED_PREFIX, effectivePrice, type ArtifactMeta } from '../src/kernel/artifact.ts';
import { ASSETS, RATE_RESOURCES, isSealedAccount } from '../src/kernel/ledger.ts';
import type { ArtifactStats, Stats } from '../src/kernel/stats.ts';
import type { HandlerContext, ToolAnnotations } from '../src/kernel/genesis.ts';
import { KernelError } from '../src/kernel/errors.ts';

/** Schema pieces shared by genesis methods, so every tool names and bounds things the same way. */

const idString = () => z.string().min(1).max(MAX_ID_CHARS).regex(ID_PATTERN, `must be ${ID_RULE}`);
export const principalArg = (what: string) => idString().describe(what);
export const artifactIdArg = (what: string) => idString().describe(what);
export const amountArg = (what: string) => z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe(what);
export const maxFeeArg = z
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .optional()
  .describe("The most scrip you accept to pay the artifact's contract in fees for this call (default 0: a fee is refused with CONFLICT, never charged). artifact_info shows each contract's fees.");
export const limitArg = z.int().min(1).max(10_000).optional().describe('Page size (capped by the world limit).');
export const cursorArg = z.int().min(0).optional().describe('Continue after this cursor (from next_cursor of the previous page); omit to start at the beginning.');

export const assetEnum = z.enum(ASSETS);
export const rateResourceEnum = z.enum(RATE_RESOURCES);
export const kindEnum = z.enum(ARTIFACT_KINDS);

export const balancesSchema = z.object(Object.fromEntries(ASSETS.map((a) => [a, z.int()])) as Record<(typeof ASSETS)[number], z.ZodInt>);

export const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const WRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
export const DESTROY: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false };

/** The page size a caller gets: what they asked for, within the world's limit. */
export function pageSize(ctx: HandlerContext, requested: number | undefined): number {
  return Math.min(requested ?? ctx.config.limits.default_list_limit, ctx.config.limits.max_list_limit);
}

export const interfaceMethodSchema = z.object({
  name: z.string().describe('Method name; the module exports a function of this name.'),
  description: z.string().describe('What the method does, for callers.'),
  inputSchema: z.record(z.string(), z.unknown()).describe('JSON Schema (draft-07) of the named arguments; type must be "object".'),
  outputSchema: z.record(z.string(), z.unknown()).optional().describe('Optional JSON Schema the result is checked against.'),
  price: z.int().min(0).describe('Scrip the caller pays the owner per successful call.'),
});

export const statsSchema = z.object({
  invocations: z.int(),
  successes: z.int(),
  failures: z.int(),
  success_rate: z.number().optional(),
  distinct_invokers: z.int(),
  distinct_paying_invokers: z.int(),
  last_invoked_at: z.int().optional(),
  since: z.int().optional().describe('The record started afresh at this world time, because its code or its owner changed; earlier use is not counted.'),
  since_reason: z.enum(['code', 'owner']).optional(),
});

/** A principal's heartbeat, for discovery: when it last acted. */
export const lastActionSchema = z.int().optional().describe('Principals only: when it last acted (its newest command), in world ms.');

export function heartbeat(stats: Stats, a: { id: string; has_standing: boolean }): { last_action_at?: number } {
  if (!a.has_standing) return {};
  const at = stats.lastActionAt(a.id);
  return at === null ? {} : { last_action_at: at };
}

export function statsView(s: ArtifactStats): z.input<typeof statsSchema> {
  return {
    invocations: s.invocations,
    successes: s.successes,
    failures: s.failures,
    distinct_invokers: s.distinct_invokers,
    distinct_paying_invokers: s.distinct_paying_invokers,
    ...(s.success_rate === null ? {} : { success_rate: s.success_rate }),
    ...(s.last_invoked_at === null ? {} : { last_invoked_at: s.last_invoked_at }),
    ...(s.since === null ? {} : { since: s.since.at, since_reason: s.since.reason }),
  };
}

/** Artifact metadata as tools return it: no content or code, and absent rather than null fields. */
export const metaSchema = z.object({
  id: z.string(),
  kind: kindEnum,
  description: z.string(),
  owner: z.string(),
  created_by: z.string(),
  access_contract_id: z.string(),
  has_standing: z.boolean(),
  can_execute: z.boolean(),
  interface: z.array(interfaceMethodSchema).optional(),
  size_bytes: z.int(),
  version: z.int(),
  created_at: z.int(),
  updated_at: z.int(),
  deleted_at: z.int().optional(),
  deleted_by: z.string().optional(),
  listing: z.string().optional().describe('The escrow listing holding it, if it is for sale.'),
  price_changes: z
    .array(z.object({ method: z.string(), price: z.int().describe('The new price.'), effective_at: z.int().describe('World time from which callers pay it.') }))
    .optional()
    .describe('Announced price rises still under notice: until effective_at, callers pay the price in interface.'),
});

/** Price rises announced but not yet in effect, soonest first. */
export function priceChanges(a: ArtifactMeta, now: number): { method: string; price: number; effective_at: number }[] {
  return (a.interface ?? [])
    .filter((m) => effectivePrice(a, m, now) !== m.price)
    .map((m) => ({ method: m.name, price: m.price, effective_at: a.prices_held![m.name]!.until }))
    .sort((x, y) => x.effective_at - y.effective_at);
}

/** Metadata as tools return it: the interface shows what a call costs now, with announced rises beside it. */
export function metaView(a: ArtifactMeta, now: number): z.input<typeof metaSchema> {
  const changes = priceChanges(a, now);
  return {
    id: a.id,
    kind: a.kind,
    description: a.description,
    owner: a.owner,
    created_by: a.created_by,
    access_contract_id: a.access_contract_id,
    has_standing: a.has_standing,
    can_execute: a.can_execute,
    ...(a.interface ? { interface: a.interface.map((m) => ({ ...m, price: effectivePrice(a, m, now) })) } : {}),
    size_bytes: a.size_bytes,
    version: a.version,
    created_at: a.created_at,
    updated_at: a.updated_at,
    ...(a.deleted_at === null ? {} : { deleted_at: a.deleted_at, deleted_by: a.deleted_by ?? '' }),
    ...(a.listing ? { listing: a.listing } : {}),
    ...(changes.length > 0 ? { price_changes: changes } : {}),
  };
}

/** ACCESS_DENIED for a sealed custody account, unless the operator asks. */
export function requireOpenBook(ctx: HandlerContext, principal: string): void {
  if (isSealedAccount(principal) && ctx.caller !== 'genesis_operator') {
    throw new KernelError('ACCESS_DENIED', `The ${principal} account holds sealed bids, so its balance and history are not public. Use mint_status for what you may see.`, { principal });
  }
}

/**
 * A principal that may receive assets or artifacts directly. The world's own accounts (genesis_*) hold
 * only what their rules put there: a gift to one would sit stuck, or pass as one of their records.
 */
export function requireRecipient(ctx: HandlerContext, id: string, role: string): void {
  ctx.services.artifacts.requirePrincipal(id, role);
  if (id.startsWith(RESERVED_PREFIX)) {
    throw new KernelError('ACCESS_DENIED', `'${id}' is one of the world's own accounts and receives nothing directly. To pay a genesis service, attach pay to your artifact_invoke call.`, { [role.replace(/ /g, '_')]: id });
  }
}

/**
 * Issues the world (the operator) the disk its own artifacts need (bridges, installed packages): their bytes are
 * the world's, never an agent's quota, and the ledger's disk_bytes keeps matching what is used.
 */
export function issueWorldDisk(ctx: HandlerContext, need: number, cause: string): void {
  const short = ctx.services.artifacts.diskUsed(OPERATOR) + need - ctx.services.ledger.balance(OPERATOR, 'disk_bytes');
  if (short > 0) ctx.services.ledger.issue(OPERATOR, 'disk_bytes', short, ctx.posting(cause));
}
