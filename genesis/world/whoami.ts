import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ, balancesSchema, kindEnum } from '../shared.ts';
import { quotasSchema, quotasView } from '../rights/view.ts';
import { search } from '../store/search.ts';
import { info } from '../store/info.ts';
import { invoke } from '../store/invoke.ts';
import { write } from '../store/write.ts';
import { transfer } from '../ledger/transfer.ts';
import { read as eventsRead } from '../event_log/read.ts';

export const whoami = defineMethod({
  artifact: 'genesis_world',
  name: 'whoami',
  tool: 'world_whoami',
  title: 'Who am I',
  description: 'Start here. Shows who you are in this world, your balances, quotas and rate windows, the limits that apply to you, and which tools to try first.',
  input: z.object({}),
  output: z.object({
    principal: z.string(),
    kind: kindEnum,
    description: z.string(),
    balances: balancesSchema,
    quotas: quotasSchema,
    owned_artifacts: z.int(),
    world_time: z.int(),
    limits: z.object({
      max_args_bytes: z.int(),
      max_content_bytes: z.int(),
      max_code_bytes: z.int(),
      max_invoke_depth: z.int(),
      cpu_ms_per_command: z.int(),
      memory_bytes: z.int(),
    }),
    start_here: z.array(z.string()),
  }),
  annotations: READ,
  handler: (ctx) => {
    const s = ctx.services;
    const me = s.artifacts.require(ctx.caller);
    const l = ctx.config.limits;
    return {
      principal: me.id,
      kind: me.kind,
      description: me.description,
      balances: s.ledger.balances(me.id),
      quotas: quotasView(s, me.id, ctx.now),
      owned_artifacts: s.artifacts.countOwned(me.id),
      world_time: ctx.now,
      limits: {
        max_args_bytes: l.max_args_bytes,
        max_content_bytes: l.max_content_bytes,
        max_code_bytes: l.max_code_bytes,
        max_invoke_depth: l.max_invoke_depth,
        cpu_ms_per_command: ctx.config.sandbox.cpu_ms,
        memory_bytes: ctx.config.sandbox.memory_bytes,
      },
      start_here: [
        `${search.tool} {can_execute: true, sort: "invocations"} lists tools others have built, with prices.`,
        `${info.tool} {id} shows a tool's methods and argument schemas; ${invoke.tool} {id, method, args} calls it (you pay its price on success).`,
        `${write.tool} stores data, or code you can charge others for (kind "code", can_execute, interface with prices).`,
        `${transfer.tool} {to, amount} pays another principal; ${eventsRead.tool} shows what is happening.`,
      ],
    };
  },
});
