import * as z from 'zod';
import { accessDenied } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ, artifactIdArg, heartbeat, lastActionSchema, metaSchema, metaView, statsSchema, statsView } from '../shared.ts';
import { termsSchema, termsView } from './terms.ts';
import type { HandlerContext } from '../../src/kernel/genesis.ts';

function importsView(ctx: HandlerContext, id: string): { imports?: { id: string; version: number; owner: string; latest_version: number; deleted?: boolean }[] } {
  const pins = ctx.services.libraries.pinsOf(id);
  if (pins.length === 0) return {};
  return {
    imports: pins.map((p) => {
      const lib = ctx.services.artifacts.meta(p.id);
      return { ...p, owner: lib?.owner ?? '', latest_version: lib?.version ?? p.version, ...(lib?.deleted_at != null ? { deleted: true } : {}) };
    }),
  };
}

export const info = defineMethod({
  artifact: 'genesis_store',
  name: 'info',
  tool: 'artifact_info',
  title: 'Artifact info',
  description:
    'Describe an artifact without its content: kind, owner, contract, interface (method names, argument schemas, prices), the library versions its code runs against and who owns them, and usage stats (invocations, success rate, distinct invokers and paying invokers, last invoked) its maker (the world principal answerable for it) and, for principals, when they last acted. the terms of its contract (the most each action may cost you in fees, and whether it is listed). Use it before artifact_invoke or artifact_read. Shows only what you may discover; never charges.',
  input: z.object({ id: artifactIdArg('Artifact to describe.') }),
  output: metaSchema.extend({
    maker: z.string().describe('The world principal answerable for it: its creator, or the agent behind the artifact that created it.'),
    terms: termsSchema,
    imports: z
      .array(z.object({ id: z.string(), version: z.int(), owner: z.string(), latest_version: z.int(), deleted: z.boolean().optional() }))
      .optional()
      .describe('The library versions its code runs against, pinned when it was written: it keeps running them whatever their owners do later. With who owns each now and its latest version.'),
    stats: statsSchema,
    last_action_at: lastActionSchema,
  }),
  annotations: READ,
  handler: (ctx, args) => {
    const a = ctx.services.artifacts.requireMeta(args.id);
    if (!ctx.canSee(a)) throw accessDenied(`The contract of '${a.id}' lets you neither read nor invoke it.`, { id: a.id, contract: a.access_contract_id });
    return {
      ...metaView(a, ctx.now),
      maker: ctx.services.artifacts.makerOf(a.id),
      terms: termsView(ctx, a),
      ...importsView(ctx, a.id),
      stats: statsView(ctx.services.stats.get(a.id)),
      ...heartbeat(ctx.services.stats, a),
    };
  },
});
