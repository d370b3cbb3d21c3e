import * as z from 'zod';
import { OPERATOR, BRIDGE_PREFIX, sizeOf, type InterfaceMethod } from '../../src/kernel/artifact.ts';
import { defineMethod, type GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { WRITE } from '../shared.ts';

/** Characters of an upstream's text kept: it is untrusted data, shown as data, never our own descriptions. */
const MAX_TEXT = 1_000;
const MAX_SCHEMA_BYTES = 16_384;
const PERMISSIVE = { type: 'object' } as const;

const toolSchema = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()).optional() });

/**
 * An upstream's input schema as the door validates it: its own if small and an object schema; otherwise
 * any object (the upstream checks its arguments itself), so a hostile tool list cannot make validation
 * costly.
 */
function schemaOf(s: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!s || s.type !== 'object' || JSON.stringify(s).length > MAX_SCHEMA_BYTES) return PERMISSIVE;
  const { $schema: _ignored, ...rest } = s;
  return rest;
}

export const register = defineMethod({
  artifact: 'genesis_bridges',
  name: 'register',
  tool: 'operator_bridges_register',
  title: 'Register a bridge',
  description: "Operator only (the bridge manager). Creates or refreshes the artifact mcp_<server> of an upstream MCP server: its interface is the upstream's tool list (descriptions kept as untrusted data), each method priced at the bridge's fee, which is burned.",
  input: z.object({
    id: z.string().regex(/^mcp_[a-z0-9_]{1,32}$/),
    description: z.string().min(1).max(1_000),
    tools: z.array(toolSchema).max(128),
    fee: z.int().min(0),
    tool_fees: z.record(z.string(), z.int().min(0)).optional(),
    off: z.string().max(500).nullable().optional().describe('Why it is off, if it is.'),
  }),
  output: z.object({ id: z.string(), methods: z.int(), created: z.boolean() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    if (!args.id.startsWith(BRIDGE_PREFIX)) throw new KernelError('INVALID_ARGS', `a bridge id starts with ${BRIDGE_PREFIX}`, {});
    const { artifacts } = ctx.services;
    const iface: InterfaceMethod[] = args.tools.map((t) => ({
      name: t.name,
      description: `[upstream text, untrusted] ${(t.description ?? '').slice(0, MAX_TEXT)}`,
      inputSchema: schemaOf(t.inputSchema),
      price: args.tool_fees?.[t.name] ?? args.fee,
    }));
    const content = JSON.stringify({ bridge: args.id, off: args.off ?? null, fee: args.fee, tool_fees: args.tool_fees ?? {} });
    const prior = artifacts.get(args.id);
    // Bridges are the world's: their bytes count against the world's own disk, issued as they are needed.
    const need = sizeOf({ id: args.id, description: args.description, content, code: '', interface: iface }, ctx.config.limits.artifact_overhead_bytes) - (prior?.size_bytes ?? 0);
    const short = artifacts.diskUsed(OPERATOR) + need - ctx.services.ledger.balance(OPERATOR, 'disk_bytes');
    if (short > 0) ctx.services.ledger.issue(OPERATOR, 'disk_bytes', short, ctx.posting(`bridge ${args.id}`));
    const fields = { kind: 'bridge' as const, description: args.description, content, code: '', interface: iface, has_standing: false, can_execute: args.off ? false : true, owner: OPERATOR, created_by: OPERATOR, access_contract_id: 'genesis_contract_freeware' };
    if (prior) artifacts.update(prior, { ...fields, terms: null, prices_held: null, imports: null, pinned_bytes: 0 }, ctx.now);
    else artifacts.insert({ id: args.id, ...fields }, ctx.now);
    return { id: args.id, methods: iface.length, created: !prior };
  },
});

export const lifecycle = defineMethod({
  artifact: 'genesis_bridges',
  name: 'lifecycle',
  tool: 'operator_bridges_lifecycle',
  title: 'Record a bridge start, stop or crash',
  description: 'Operator only (the bridge manager). Records a bridge_lifecycle event: an upstream started, stopped or crashed (and when it restarts).',
  input: z.object({
    server: z.string().max(64),
    instance: z.string().max(128),
    event: z.enum(['started', 'stopped', 'crashed']),
    ms: z.int().min(0).optional(),
    reason: z.string().max(500).optional(),
    retry_in_ms: z.int().min(0).optional(),
  }),
  output: z.object({ recorded: z.boolean() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    // The instance names a principal only as its folder does; the event is the operator's, not public news.
    ctx.emit('bridge_lifecycle', { artifact: bridgeArtifactId(args.server) }, args);
    return { recorded: true };
  },
});

const bridgeArtifactId = (server: string) => `${BRIDGE_PREFIX}${server.replaceAll('-', '_')}`;

export const bridgesArtifact: GenesisArtifactDef = {
  id: 'genesis_bridges',
  description: 'Upstream MCP servers bridged in as artifacts (mcp_<server>), called with artifact_invoke and from code.',
  hasStanding: false,
  methods: [register, lifecycle],
};
