import * as z from 'zod';
import { accessDenied } from '../../src/kernel/errors.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ, artifactIdArg, heartbeat, lastActionSchema, metaSchema, metaView, statsSchema, statsView } from '../shared.ts';
import { termsSchema, termsView } from './terms.ts';

export const info = defineMethod({
  artifact: 'genesis_store',
  name: 'info',
  tool: 'artifact_info',
  title: 'Artifact info',
  description:
    'Describe an artifact without its content: kind, owner, contract, interface (method names, argument schemas, prices) and usage stats (invocations, success rate, distinct invokers and paying invokers, last invoked) its maker (the world principal answerable for it) and, for principals, when they last acted. the terms of its contract (the most each action may cost you in fees, and whether it is listed). Use it before artifact_invoke or artifact_read. Shows only what you may discover; never charges.',
  input: z.object({ id: artifactIdArg('Artifact to describe.') }),
  output: metaSchema.extend({
    maker: z.string().describe('The world principal answerable for it: its creator, or the agent behind the artifact that created it.'),
    terms: termsSchema,
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
      stats: statsView(ctx.services.stats.get(a.id)),
      ...heartbeat(ctx.services.stats, a),
    };
  },
});
