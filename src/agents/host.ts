import { randomUUID } from 'node:crypto';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Client } from '@modelcontextprotocol/client';
import { parseAgentConfig, type AgentConfig } from '../../genesis/agents/config.ts';
import { priceOf, pricesOf } from '../../genesis/llm/reservations.ts';
import { Agents, type AgentRow } from '../../genesis/agents/store.ts';
import { MemoryEntries, ftsQuery, fuse } from '../../genesis/memory/entries.ts';
import { OPERATOR } from '../kernel/door.ts';
import type { InvokeResult } from '../kernel/kernel.ts';
import { connectInProcess } from '../mcp/inprocess.ts';
import type { HybridHandler } from '../mcp/hybrid.ts';
import type { World } from '../world.ts';
import { LlmGateway } from './gateway.ts';
import { runStep, type CallRecord, type StepOutcome } from './step.ts';
import { listAgentTools, type AgentTools } from './tools.ts';

export interface AgentHostOptions {
  /** How often to look for agents due a step. */
  tickMs?: number;
  gateway?: LlmGateway;
  /** Where the host reports what it could not record (a failed bookkeeping command). */
  onError?: (err: Error) => void;
}

interface Connected {
  client: Client;
  tools: AgentTools;
}

/** Steps whose results the next prompt recalls. */
const RECENT_STEPS = 5;
/** Memory entries recalled into each prompt. */
const MEMORIES = 5;
/** Rescued agents unfrozen per check (the rest the next second). */
const WAKE_BATCH = 200;
/** How often sleeping and frozen agents are checked for a wake. */
const WAKE_CHECK_MS = 1_000;
/** Prompt tokens assumed for a step when deciding whether a frozen agent can afford one again. */
const MIN_PROMPT_TOKENS = 2_000;

/**
 * Hosts the world's agents in this process. Each is an MCP client of this server over the in-process
 * transport, authenticated as its own principal, with no other door: the host only decides when an
 * agent steps, and records what happened through the operator's genesis methods. Every agent state it
 * acts on (running, sleeping, frozen, paused, its lease) is in the database, so several host processes
 * can share one world and none steps an agent another is stepping.
 */
export class AgentHost {
  readonly holder = `host-${randomUUID().slice(0, 8)}`;
  private readonly gateway: LlmGateway;
  private readonly clients = new Map<string, Connected>();
  private readonly configs = new Map<string, { version: number; config: AgentConfig | null }>();
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Backoff after failed LLM calls: host-local and transient, like the calls it paces. */
  private readonly backoff = new Map<string, { until: number; failures: number }>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private lastWakeCheck = 0;
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private stopped = false;

  constructor(
    private readonly world: World,
    private readonly handler: HybridHandler,
    private readonly opts: AgentHostOptions = {},
  ) {
    this.gateway = opts.gateway ?? new LlmGateway(world);
  }

  start(): this {
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs ?? 100);
    this.timer.unref();
    return this;
  }

  /** Stops stepping: steps in flight are abandoned (their late replies discarded), clients closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const r of this.running.values()) r.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
    await Promise.all([...this.clients.values()].map((c) => c.client.close().catch(() => {})));
    this.clients.clear();
  }

  /** Agents stepping in this process now. */
  get busy(): number {
    return this.running.size;
  }

  /** One pass: wake what is due, then start steps for running agents whose turn it is, up to the limit. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.checkWakes();
      const limits = this.world.config.agents;
      // Busy since the last tick (outside clients, or the agents themselves): start nothing new this time.
      const now_ = performance.eventLoopUtilization();
      const busy = performance.eventLoopUtilization(now_, this.elu).utilization;
      this.elu = now_;
      if (busy * 100 > limits.max_host_share_pct) return;
      const free = limits.max_running - this.running.size;
      if (free <= 0) return;
      const now = this.world.kernel.clock.now();
      const due = this.list('running').filter((a) => !this.running.has(a.id) && (this.backoff.get(a.id)?.until ?? 0) <= Date.now() && this.paced(a, now));
      due.sort((a, b) => (a.last_step_at ?? 0) - (b.last_step_at ?? 0));
      // A few per tick, so that steps (and their replies) spread out rather than arrive in one burst.
      for (const a of due.slice(0, Math.min(free, Math.ceil(limits.max_running / 10)))) void this.step(a.id);
    } catch (err) {
      this.opts.onError?.(err as Error);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Runs one step of `id` now and resolves when it is recorded. `force` steps an agent whatever its state
   * (the operator's `ecology agents step`); otherwise only a running agent that no host holds.
   */
  async step(id: string, force = false): Promise<StepOutcome | { kind: 'skipped'; reason: string }> {
    if (this.running.has(id)) return { kind: 'skipped', reason: 'a step of this agent is already running here' };
    const limits = this.world.config.agents;
    const claim = await this.operator(id, 'claim', { id, holder: this.holder, for_ms: limits.step_timeout_ms + 5_000, ...(force ? { force: true } : {}) });
    if (!claim.ok || !(claim.value as { claimed: boolean }).claimed) return { kind: 'skipped', reason: claim.ok ? 'another host is stepping it, or it is not running' : claim.error.message };
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), limits.step_timeout_ms);
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.running.set(id, { abort, done });
    try {
      const outcome = await this.stepOnce(id, abort.signal, force);
      await this.settleOutcome(id, outcome);
      return outcome;
    } catch (err) {
      const outcome: StepOutcome = { kind: 'done', ok: false, error: `the host failed this step: ${(err as Error).message}`, trace: {} };
      await this.settleOutcome(id, outcome).catch(() => {});
      return outcome;
    } finally {
      clearTimeout(timeout);
      this.running.delete(id);
      resolve();
    }
  }

  private async stepOnce(id: string, signal: AbortSignal, force: boolean): Promise<StepOutcome> {
    const config = this.configOf(id);
    if (!config) return { kind: 'done', ok: false, error: `its config (the content of artifact '${id}') is not a valid agent config; its owner must rewrite it`, trace: {} };
    const model = config.model ?? this.world.config.llm.default_endpoint;
    if (!model) return { kind: 'done', ok: false, error: 'it names no model and the world has no default LLM endpoint', trace: {} };
    const { client, tools } = await this.connect(id);
    const limits = this.world.config.agents;
    return runStep({
      id,
      client,
      tools,
      gateway: this.gateway,
      limits,
      goal: config.goal,
      ...(config.system_prompt ? { systemPrompt: config.system_prompt } : {}),
      model,
      recent: this.recent(id),
      memories: await this.memories(id, config.goal),
      signal,
      stillRunning: async () => force || this.list('running', id).length === 1,
      maxToolCalls: Math.min(limits.max_tool_calls_per_step, config.loop?.max_tool_calls ?? Infinity),
    });
  }

  /** Records the outcome: the trace always; a freeze, a backoff or a self-pause as it calls for. */
  private async settleOutcome(id: string, o: StepOutcome): Promise<void> {
    const limits = this.world.config.agents;
    if (o.kind === 'frozen') {
      await this.operator(id, 'freeze', { id, needed_micro_usd: this.minBudget(this.configOf(id)?.model) });
    }
    if (o.kind === 'llm_error') {
      const failures = (this.backoff.get(id)?.failures ?? 0) + 1;
      const wait = Math.min(limits.backoff_max_ms, limits.backoff_base_ms * 2 ** (failures - 1));
      // Full jitter, but never sooner than the endpoint asked.
      this.backoff.set(id, { until: Date.now() + Math.max(o.retryAfterMs ?? 0, Math.round(wait / 2 + (Math.random() * wait) / 2)), failures });
    } else {
      this.backoff.delete(id);
    }
    // An abandoned step is no failure of the agent's: it does not count towards pausing it.
    const ok = o.kind === 'done' ? o.ok : o.kind === 'abandoned';
    const error = o.error;
    const r = await this.operator(id, 'record_step', { id, ok, ...(error ? { error: error.slice(0, 2_000) } : {}), trace: { outcome: o.kind, ...o.trace } });
    if (!r.ok) this.opts.onError?.(new Error(`could not record a step of ${id}: ${r.error.code}: ${r.error.message}`));
  }

  private async connect(id: string): Promise<Connected> {
    let c = this.clients.get(id);
    if (!c) {
      const client = await connectInProcess(this.handler, id, { clientName: `agent:${id}` });
      c = { client, tools: await listAgentTools(client) };
      this.clients.set(id, c);
    }
    return c;
  }

  /** The results of its last steps, from its traces (in the database, so any host can continue it). */
  private recent(id: string): { step: number; calls: { tool: string; ok: boolean; result: string }[]; note?: string }[] {
    const traces = new Agents(this.world.store).traces(id, RECENT_STEPS) as { step: number; ok: boolean; error?: string; calls?: CallRecord[]; reply?: { content?: string }; ignored_tool_calls?: number }[];
    return traces.reverse().map((t) => ({
      step: t.step,
      calls: (t.calls ?? []).map((c) => ({ tool: c.tool, ok: c.ok, result: c.result })),
      ...(t.error || t.ignored_tool_calls || t.reply?.content
        ? { note: [t.reply?.content ? `you said: ${t.reply.content.slice(0, 300)}` : '', t.error ? `error: ${t.error}` : '', t.ignored_tool_calls ? `${t.ignored_tool_calls} tool calls beyond the ${this.world.config.agents.max_tool_calls_per_step} allowed per step were not made` : ''].filter(Boolean).join('; ') }
        : {}),
    }));
  }

  /** Wakes what is due (an event came, a rescue arrived): a command only when some agent could wake. */
  /**
   * Its memory's entries most relevant to its goal (by words, and by meaning where the world embeds
   * memories; best first), read by the host: the agent may read its own memory, and a look decides nothing,
   * so it costs the agent no call. The goal's embedding is cached, so a step rarely embeds anything.
   */
  private async memories(id: string, goal: string): Promise<string[]> {
    const memoryId = new Agents(this.world.store).get(id)?.memory_id;
    // Only a memory the agent owns is recalled: one it gave away is written by someone else now.
    if (!memoryId || this.world.kernel.services.artifacts.meta(memoryId)?.owner !== id) return [];
    const entries = new MemoryEntries(this.world.store);
    const query = ftsQuery(goal);
    const byWords = query === null ? [] : entries.search(memoryId, query, [], MEMORIES);
    let byMeaning: ReturnType<MemoryEntries['current']> = [];
    try {
      if (this.world.semantic) byMeaning = entries.current(memoryId, (await this.world.semantic.nearest(memoryId, goal, MEMORIES * 2)).hits, []);
    } catch {
      // Recall by words alone is still recall; the embedder's trouble shows in the operator's status.
    }
    return fuse<{ id: number; score: number | null; text: string; tags: string[] }>(byWords, byMeaning)
      .slice(0, MEMORIES)
      .map((e) => (e.tags.length ? `[${e.tags.join(', ')}] ${e.text}` : e.text).slice(0, 500));
  }

  private async checkWakes(): Promise<void> {
    if (Date.now() - this.lastWakeCheck < WAKE_CHECK_MS || !new Agents(this.world.store).anyWaiting()) return;
    this.lastWakeCheck = Date.now();
    // Only the frozen agents that can pay again are named, so any number of others frozen for good
    // never crowd out one that was rescued.
    const { ledger } = this.world.kernel.services;
    const unfreeze = this.list('frozen')
      .map((a) => ({ id: a.id, min_budget_micro_usd: this.minBudget(this.configOf(a.id)?.model) }))
      .filter((c) => ledger.balance(c.id, 'llm_budget_micro_usd') >= c.min_budget_micro_usd)
      .slice(0, WAKE_BATCH);
    await this.world.submit(OPERATOR, 'genesis_agents', 'check_wakes', { unfreeze });
  }

  /**
   * An agent's config, parsed once per version of its artifact: the pacing check reads it for every
   * running agent on every tick. Null when its owner wrote something that is not a config.
   */
  private configOf(id: string): AgentConfig | null {
    const { artifacts } = this.world.kernel.services;
    const version = artifacts.meta(id)?.version;
    if (version === undefined) return null;
    const cached = this.configs.get(id);
    if (cached?.version === version) return cached.config;
    const config = parseAgentConfig(artifacts.get(id)?.content ?? '');
    this.configs.set(id, { version, config });
    return config;
  }

  /** What a step's LLM call may cost at most on the agent's model: what a frozen agent needs to run again. */
  private minBudget(model: string | undefined): number {
    const ep = this.world.config.llm.endpoints[model ?? this.world.config.llm.default_endpoint ?? ''];
    return ep ? Math.max(1, priceOf(pricesOf(ep), MIN_PROMPT_TOKENS, ep.max_output_tokens)) : 1;
  }

  private paced(a: { id: string; last_step_at: number | null }, now: number): boolean {
    if (a.last_step_at === null) return true;
    const cfg = this.configOf(a.id);
    const spm = Math.min(this.world.config.agents.steps_per_minute, cfg?.loop?.steps_per_minute ?? Infinity);
    return now - a.last_step_at >= 60_000 / spm;
  }

  /**
   * Agents in `state` (or that one agent, if it is in it). The host reads the agents' table directly: a
   * read decides nothing, and recording a command for every look every tick would fill the command log.
   */
  private list(state: 'running' | 'frozen', only?: string): AgentRow[] {
    const agents = new Agents(this.world.store);
    if (only !== undefined) {
      const a = agents.get(only);
      return a && a.state === state ? [a] : [];
    }
    return this.world.store.readTx(() => agents.list({ state, limit: 10_000 }));
  }

  /** The host's bookkeeping runs as the operator, in the agent's lane of the fair queue. */
  private operator(id: string, method: string, args: Record<string, unknown>): Promise<InvokeResult> {
    return this.world.submit(OPERATOR, 'genesis_agents', method, args, {}, { lane: id });
  }
}
