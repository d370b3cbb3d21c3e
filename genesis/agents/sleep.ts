import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { EVENT_TYPES } from '../../src/kernel/events.ts';
import { WRITE, principalArg } from '../shared.ts';
import { agentFor } from './status.ts';
import { Agents, WAKE_KIND } from './store.ts';
import type { SettleContext } from '../../src/kernel/scheduler.ts';

/** The longest an agent may sleep in one go (30 days). */
const MAX_SLEEP_S = 30 * 86_400;

const wakeFilter = z
  .object({
    type: z.enum(EVENT_TYPES).optional().describe('Event type, e.g. transfer.'),
    principal: principalArg('Who acted (the event’s principal).').optional(),
    artifact: principalArg('The artifact or principal the event is about (a transfer: its recipient).').optional(),
  })
  .strict();

export const sleep = defineMethod({
  artifact: 'genesis_agents',
  name: 'sleep',
  tool: 'agent_sleep',
  title: 'Sleep (hosted agents)',
  description:
    'A hosted agent puts itself to sleep: until `until_s` seconds from now, or until an event matching `until_event` (for example {"type": "transfer", "artifact": "<your id>"}: a payment to you), whichever comes first. A sleeping agent takes no steps and costs nothing.',
  input: z.object({
    until_s: z.int().min(1).max(MAX_SLEEP_S).optional().describe(`Seconds to sleep (at most ${MAX_SLEEP_S}).`),
    until_event: wakeFilter.optional().describe('Wake when an event matching this appears in the event log.'),
  }),
  output: z.object({ state: z.literal('sleeping'), sleep_until: z.int().nullable(), until_event: z.unknown().nullable() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const a = new Agents(ctx.services.store).get(ctx.caller);
    if (!a) throw new KernelError('INVALID_ARGS', 'Only hosted agents sleep: you are not one. (Outside clients simply stop calling.)', { caller: ctx.caller });
    // A paused or frozen agent stays so: sleeping (and being woken) must not be a way out of either.
    if (a.state !== 'running') throw new KernelError('CONFLICT', `You are ${a.state}${a.state_reason ? ` (${a.state_reason})` : ''}, not running, so you cannot go to sleep.`, { state: a.state });
    if (args.until_s === undefined && args.until_event === undefined) throw new KernelError('INVALID_ARGS', 'Say how long to sleep (until_s), what to wake for (until_event), or both.', {});
    if (args.until_event && Object.keys(args.until_event).length === 0) throw new KernelError('INVALID_ARGS', 'until_event must name a type, principal or artifact; an empty filter would match every event.', {});
    const until = args.until_s === undefined ? null : ctx.now + args.until_s * 1000;
    const lastSeq = ctx.services.store.one<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events')!.seq ?? 0;
    new Agents(ctx.services.store).setState(a.id, 'sleeping', ctx.now, { reason: 'asleep by its own choice', sleep_until: until, wake_on: args.until_event ? JSON.stringify(args.until_event) : null, wake_after_seq: lastSeq });
    if (until !== null) ctx.schedule(`${WAKE_KIND}:${a.id}`, WAKE_KIND, until, { agent: a.id, at: until });
    ctx.emit('agent_slept', { principal: a.id }, { until: until, on_event: args.until_event ?? null });
    return { state: 'sleeping' as const, sleep_until: until, until_event: args.until_event ?? null };
  },
});

export const wake = defineMethod({
  artifact: 'genesis_agents',
  name: 'wake',
  tool: 'agent_wake',
  title: 'Wake a hosted agent',
  description: "Wake a sleeping hosted agent you own, now. A paused agent is resumed only by the operator; a frozen one wakes when someone moves LLM budget to it (rights_transfer).",
  input: z.object({ id: principalArg('The agent.') }),
  output: z.object({ id: z.string(), state: z.literal('running') }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const a = agentFor(ctx, args.id, 'wake');
    if (a.state === 'running') return { id: a.id, state: 'running' as const };
    if (a.state !== 'sleeping') throw new KernelError('CONFLICT', `${a.id} is ${a.state}${a.state_reason ? ` (${a.state_reason})` : ''}, not asleep. ${a.state === 'frozen' ? 'Move LLM budget to it (rights_transfer) to unfreeze it.' : 'Ask the operator to resume it.'}`, { state: a.state });
    wakeAgent(ctx, a.id, `woken by ${ctx.caller}`);
    return { id: a.id, state: 'running' as const };
  },
});

/** Wakes an agent now; a pending timed wake is dropped (a settler, itself that wake, has none to drop). */
export function wakeAgent(ctx: Pick<SettleContext, 'services' | 'now' | 'emit'> & { unschedule?(id: string): void }, id: string, reason: string): void {
  new Agents(ctx.services.store).setState(id, 'running', ctx.now, { reason });
  ctx.unschedule?.(`${WAKE_KIND}:${id}`);
  ctx.emit('agent_woke', { principal: id }, { reason });
}

/** The scheduled wake: the agent wakes if it is still asleep for that time (a later sleep replaced it otherwise). */
export function settleWake(ctx: SettleContext, payload: unknown): void {
  const { agent, at } = payload as { agent: string; at: number };
  const a = new Agents(ctx.services.store).get(agent);
  if (!a || a.state !== 'sleeping' || a.sleep_until !== at) return;
  wakeAgent(ctx, agent, 'slept until its time');
}
