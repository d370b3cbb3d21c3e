import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { EVENT_TYPES } from '../../src/kernel/events.ts';
import { READ, artifactIdArg, cursorArg, limitArg, pageSize, principalArg } from '../shared.ts';

export const read = defineMethod({
  artifact: 'genesis_event_log',
  name: 'read',
  tool: 'events_read',
  title: 'Read events',
  description:
    'Read the world event log oldest first: artifact writes and deletions, invocations, transfers, rate limits and more. Filter by types, principal or artifact_id. To follow new events, pass the next_cursor you got last time as cursor. A filtered read looks at a bounded stretch of the log per call, so a page can hold fewer events than the limit: while has_more is true, call again with next_cursor.',
  input: z.object({
    types: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional().describe('Only these event types.'),
    principal: principalArg('Only events about this principal.').optional(),
    artifact_id: artifactIdArg('Only events about this artifact.').optional(),
    cursor: cursorArg,
    limit: limitArg,
  }),
  output: z.object({
    events: z.array(
      z.object({
        seq: z.int(),
        at: z.int(),
        type: z.enum(EVENT_TYPES),
        principal: z.string().optional(),
        artifact_id: z.string().optional(),
        payload: z.record(z.string(), z.unknown()),
        command_id: z.string().optional(),
      }),
    ),
    next_cursor: z.int().describe('Pass this as cursor to continue.'),
    has_more: z.boolean().describe('More events may follow next_cursor: call again with it.'),
  }),
  annotations: READ,
  handler: (ctx, args) => {
    const page = ctx.services.events.read({
      ...(args.types === undefined ? {} : { types: args.types }),
      ...(args.principal === undefined ? {} : { principal: args.principal }),
      ...(args.artifact_id === undefined ? {} : { artifact: args.artifact_id }),
      after: args.cursor ?? 0,
      limit: pageSize(ctx, args.limit),
      scan: ctx.config.limits.max_event_scan,
    });
    return {
      events: page.events.map((e) => ({
        seq: e.seq,
        at: e.at,
        type: e.type,
        ...(e.principal === null ? {} : { principal: e.principal }),
        ...(e.artifact === null ? {} : { artifact_id: e.artifact }),
        payload: e.payload as Record<string, unknown>,
        ...(e.command_id === null ? {} : { command_id: e.command_id }),
      })),
      next_cursor: page.next_cursor,
      has_more: page.has_more,
    };
  },
});
