import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { validateNewId } from '../../src/kernel/artifact.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { moveRight, RIGHTS } from '../rights/transfer.ts';
import { WRITE, principalArg } from '../shared.ts';
import { AgentConfigSchema, type AgentConfig } from './config.ts';
import { Agents } from './store.ts';

const fundSchema = z
  .object({
    scrip: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    ...Object.fromEntries(RIGHTS.map((r) => [r, z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional()])),
  })
  .strict() as z.ZodType<Partial<Record<'scrip' | (typeof RIGHTS)[number], number>>>;

/** Disk an agent gets from its spawner when `fund` names none: room for its memory's first entries. */
const DEFAULT_DISK = 20_000;

export const spawn = defineMethod({
  artifact: 'genesis_agents',
  name: 'spawn',
  tool: 'agent_spawn',
  title: 'Spawn a hosted agent',
  description:
    "Create an LLM agent the world hosts: a principal of its own that acts through this server's tools toward `goal`, in a loop. You own it: its config is its artifact (private to you; change it with artifact_write). It starts with what you give it in `fund`, moved from your own account (scrip, llm_budget_micro_usd, and allocations of calls, cpu_ms, llm_tokens, disk_bytes; disk defaults to 20000): never new money. Its memory is the artifact `<id>.memory`.",
  input: z.object({
    id: principalArg('The new agent’s id (it becomes a principal).'),
    goal: z.string().min(1).max(2_000).describe('What the agent works toward.'),
    model: z.string().max(32).optional().describe('An LLM endpoint name from the world’s config (default: the config’s default endpoint).'),
    system_prompt: z.string().max(8_000).optional().describe('Extra instructions for the agent (the world adds its own).'),
    fund: fundSchema.optional().describe('What to move from your account to the agent’s.'),
  }),
  output: z.object({ agent: z.string(), memory_id: z.string(), model: z.string(), funded: z.record(z.string(), z.int()) }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const { artifacts, ledger } = ctx.services;
    artifacts.requirePrincipal(ctx.caller, 'spawner');
    validateNewId(args.id, ctx.caller, (id) => artifacts.meta(id));
    if (args.id.includes('.')) throw new KernelError('INVALID_ARGS', `An agent's id cannot contain a dot ('${args.id}'): dotted ids belong to another artifact's namespace.`, { id: args.id });
    if (artifacts.meta(args.id)) throw new KernelError('CONFLICT', `'${args.id}' already exists. Choose another id.`, { id: args.id });
    const model = args.model ?? ctx.config.llm.default_endpoint;
    const endpoints = Object.keys(ctx.config.llm.endpoints);
    if (model === undefined || !endpoints.includes(model)) {
      throw new KernelError('INVALID_ARGS', model === undefined ? `This world has no default LLM endpoint; name one in model (${endpoints.join(', ') || 'none is configured: ask the operator'}).` : `No LLM endpoint '${model}' (this world has: ${endpoints.join(', ') || 'none'}).`, { model: model ?? null, endpoints });
    }
    const config: AgentConfig = AgentConfigSchema.parse({ goal: args.goal, model, ...(args.system_prompt === undefined ? {} : { system_prompt: args.system_prompt }) });
    const fund = { disk_bytes: DEFAULT_DISK, ...args.fund };
    artifacts.openAccount(args.id, ctx.now);
    // The agent's account is funded before its memory (which it owns) is stored against its quota.
    const funded: Record<string, number> = {};
    for (const [asset, amount] of Object.entries(fund) as [keyof typeof fund, number | undefined][]) {
      if (!amount) continue;
      if (asset === 'scrip') ledger.move(ctx.caller, args.id, 'scrip', amount, ctx.posting('agent_fund'));
      else moveRight(ctx, ctx.caller, args.id, asset, amount);
      funded[asset] = amount;
    }
    // The agent artifact is its config, owned by the spawner (whose quota it uses) and private to it.
    artifacts.insert(
      { id: args.id, kind: 'agent', description: `Hosted agent: ${args.goal.slice(0, 200)}`, content: JSON.stringify(config), code: '', interface: null, has_standing: true, can_execute: false, owner: ctx.caller, created_by: ctx.caller, access_contract_id: 'genesis_contract_private' },
      ctx.now,
    );
    const memoryId = `${args.id}.memory`;
    artifacts.insert(
      { id: memoryId, kind: 'memory', description: `Memory of ${args.id}`, content: '', code: '', interface: null, has_standing: false, can_execute: false, owner: args.id, created_by: ctx.caller, access_contract_id: 'genesis_contract_private' },
      ctx.now,
    );
    // Its maker is its spawner's (as with wallets): the services' caps, UBI and the mint count it as theirs,
    // so it brings no new share of anything.
    new Agents(ctx.services.store).insert({ id: args.id, spawner: ctx.caller, memory_id: memoryId, at: ctx.now });
    ctx.emit('principal_created', { principal: args.id, artifact: args.id }, { grants: funded });
    return { agent: args.id, memory_id: memoryId, model, funded };
  },
});
