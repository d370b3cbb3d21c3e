import * as z from 'zod';
import { OPERATOR, BRIDGE_PREFIX, sizeOf, type InterfaceMethod } from '../../src/kernel/artifact.ts';
import { defineMethod, type GenesisArtifactDef, type HandlerContext } from '../../src/kernel/genesis.ts';
import { KernelError, notFound } from '../../src/kernel/errors.ts';
import { canonicalJson } from '../../src/kernel/canonical.ts';
import { SERVER_NAME, bridgeArtifactId, parseDefinition } from '../../src/bridges/definition.ts';
import { WRITE, issueWorldDisk } from '../shared.ts';
import { compileSchema } from '../../src/kernel/schema.ts';
import { MAX_SCHEMA_BYTES, MAX_TEXT, PERMISSIVE, TOOL_NAME } from '../../src/bridges/tools.ts';

const toolSchema = z.object({ name: z.string().regex(TOOL_NAME), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()).optional() });

/**
 * An upstream's input schema as the door validates it: its own if small, an object schema, and one the door
 * can check (interfaces refuse costly keywords such as pattern and format, and Ajv's strict mode refuses some
 * schemas upstreams publish); otherwise any object (the upstream checks its arguments itself). So a hostile
 * tool list cannot make validation costly, and no upstream's schema makes its tool uncallable.
 */
function schemaOf(s: Record<string, unknown> | undefined, where: string): Record<string, unknown> {
  if (!s || s.type !== 'object' || JSON.stringify(s).length > MAX_SCHEMA_BYTES) return PERMISSIVE;
  const { $schema: _ignored, ...rest } = s;
  try {
    compileSchema(rest, where);
  } catch {
    return PERMISSIVE;
  }
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
      inputSchema: schemaOf(t.inputSchema, `${args.id}.${t.name} inputSchema`),
      price: args.tool_fees?.[t.name] ?? args.fee,
    }));
    const content = JSON.stringify({ bridge: args.id, off: args.off ?? null, fee: args.fee, tool_fees: args.tool_fees ?? {} });
    const prior = artifacts.get(args.id);
    // Bridges are the world's: their bytes count against the world's own disk, issued as they are needed.
    const need = sizeOf({ id: args.id, description: args.description, content, code: '', interface: iface }, ctx.config.limits.artifact_overhead_bytes) - (prior?.size_bytes ?? 0);
    issueWorldDisk(ctx, need, `bridge ${args.id}`);
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

const serverName = z.string().regex(SERVER_NAME, 'a server name is 1-32 characters of a-z, 0-9 and -');

export const define = defineMethod({
  artifact: 'genesis_bridges',
  name: 'define',
  tool: 'operator_bridges_define',
  title: 'Add or replace a bridge definition',
  description: "Operator only (ecology bridge add). Keeps an upstream server's definition in this world: one server in Claude Desktop's mcpServers format, with the world's settings under ecology. It replaces a pre-seeded or config-file server of the same name. Serving processes pick it up from the bridge_config event.",
  input: z.object({ definition: z.record(z.string(), z.unknown()) }),
  output: z.object({ server: z.string(), id: z.string(), replaced: z.boolean() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    let def;
    try {
      // Checked for shape only: the environment and packages it names are the serving process's.
      def = parseDefinition(args.definition, 'the definition given', {});
    } catch (err) {
      throw new KernelError('INVALID_ARGS', `${(err as Error).message}`, {});
    }
    const { store } = ctx.services;
    const prior = store.one<{ name: string }>('SELECT name FROM bridge_definitions WHERE name = ? AND definition IS NOT NULL', def.name);
    store.run('INSERT INTO bridge_definitions (name, definition, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at', def.name, canonicalJson(args.definition), ctx.now);
    ctx.emit('bridge_config', { artifact: def.artifactId }, { server: def.name, action: 'defined' });
    return { server: def.name, id: def.artifactId, replaced: prior !== undefined || ctx.services.artifacts.meta(def.artifactId) !== undefined };
  },
});

/** The server must be known to this world: defined here, or registered from the package's or the config's list. */
function requireKnown(ctx: HandlerContext, server: string): string {
  const id = bridgeArtifactId(server);
  const here = ctx.services.store.one<{ name: string }>('SELECT name FROM bridge_definitions WHERE name = ? AND definition IS NOT NULL', server);
  if (!here && !ctx.services.artifacts.meta(id)) throw notFound('Bridge', server, 'ecology bridge list shows the bridges this world has.', { artifact: id });
  return id;
}

/** An operator's change to a known server, announced by a bridge_config event that serving processes follow. */
const serverChange = (name: 'remove' | 'restart', title: string, description: string, action: 'removed' | 'restart', effect: (ctx: HandlerContext, server: string) => void = () => {}) =>
  defineMethod({
    artifact: 'genesis_bridges',
    name,
    tool: `operator_bridges_${name}`,
    title,
    description,
    input: z.object({ server: serverName }),
    output: z.object({ server: z.string(), id: z.string() }),
    annotations: WRITE,
    operatorOnly: true,
    handler: (ctx, args) => {
      const id = requireKnown(ctx, args.server);
      effect(ctx, args.server);
      ctx.emit('bridge_config', { artifact: id }, { server: args.server, action });
      return { server: args.server, id };
    },
  });

export const remove = serverChange(
  'remove',
  'Remove a bridge from this world',
  'Operator only (ecology bridge remove). Removes a server from this world, whichever list defined it; its artifact stays, off, with its record. Adding it again brings it back.',
  'removed',
  (ctx, server) =>
    ctx.services.store.run('INSERT INTO bridge_definitions (name, definition, updated_at) VALUES (?, NULL, ?) ON CONFLICT (name) DO UPDATE SET definition = NULL, updated_at = excluded.updated_at', server, ctx.now),
);

export const restart = serverChange(
  'restart',
  'Restart a bridge',
  'Operator only (ecology bridge restart). Asks every process running the bridge to stop its upstreams (each starts again on its next call) and read its tool list afresh.',
  'restart',
);

export const charge = defineMethod({
  artifact: 'genesis_bridges',
  name: 'charge',
  tool: 'operator_bridges_charge',
  title: "Burn a bridge call's fee",
  description: "Operator only (the bridge manager). Burns the fee of a bridge call the upstream has just answered, from whoever made the call, before the result is released to its command; refused if the payer cannot pay (the result is then withheld).",
  input: z.object({
    payer: z.string().min(1).max(64),
    artifact: z.string().regex(/^mcp_[a-z0-9_]{1,32}$/),
    tool: z.string().max(128),
    fee: z.int().min(1),
  }),
  output: z.object({ paid: z.int() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const have = ctx.services.ledger.balance(args.payer, 'scrip');
    if (have < args.fee) {
      throw new KernelError('INSUFFICIENT_FUNDS', `${args.artifact}.${args.tool} answered, but ${args.payer} no longer holds its fee of ${args.fee} scrip (it has ${have}), so its result is withheld. Fund ${args.payer}, then call again.`, { principal: args.payer, need: args.fee, have });
    }
    ctx.services.ledger.burn(args.payer, 'scrip', args.fee, ctx.posting(`price:${args.artifact}.${args.tool}`));
    return { paid: args.fee };
  },
});

export const bridgesArtifact: GenesisArtifactDef = {
  id: 'genesis_bridges',
  description: 'Upstream MCP servers bridged in as artifacts (mcp_<server>), called with artifact_invoke and from code.',
  hasStanding: false,
  methods: [register, lifecycle, charge, define, remove, restart],
};
