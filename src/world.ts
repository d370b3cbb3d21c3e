import { randomBytes } from 'node:crypto';
import { createRegistry } from '../genesis/index.ts';
import { scorePending } from '../genesis/mint/llm.ts';
import { LlmGateway } from './agents/gateway.ts';
import { canonicalJson, sha256 } from './kernel/canonical.ts';
import { checkInvariants, type InvariantReport } from './kernel/checker.ts';
import { RealClock, type Clock } from './kernel/clock.ts';
import { loadConfigFile, parseConfig, type Config, type ConfigInput } from './kernel/config.ts';
import { Store, WriteLockBusy } from './kernel/db/store.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { OPERATOR } from './kernel/door.ts';
import { EventLog } from './kernel/events.ts';
import { Kernel, type InvokeOptions, type InvokeResult } from './kernel/kernel.ts';
import { seedGenesis } from './kernel/seed.ts';
import { FairQueue, NotYet } from './kernel/fair-queue.ts';
import { KernelError } from './kernel/errors.ts';
import { Sandbox, SandboxUnavailable } from './sandbox/host.ts';
import type { Grant } from './kernel/config.ts';
import type { PrepareServices, Prepared } from './kernel/genesis.ts';
import { SemanticMemory } from './memory/semantic.ts';
import type { BridgeManager } from './bridges/manager.ts';
import { WorldBridges } from './bridges/in-world.ts';
import { PackageInstaller } from './packages/installer.ts';
import { Packages } from '../genesis/packages/store.ts';
import { callOutside, failedCall } from './bridges/caller.ts';
import { BridgeCallNeeded, type OutsideRecord } from './kernel/outside.ts';
import type { Asset } from './kernel/ledger.ts';

export interface OpenWorldOptions {
  /** Database file, or ':memory:' (the default) for a throw-away world. */
  path?: string;
  /** Config values; omitted keys take their defaults. Stored in the world and shared by every process. */
  config?: ConfigInput;
  /** A JSON config file; used when `config` is not given. */
  configFile?: string;
  clock?: Clock;
  /** 'shared' (default): the process-wide sandbox worker; 'own': a worker closed with this world. */
  sandbox?: 'shared' | 'own';
}

/**
 * A world: the database, the kernel over it, the sandbox worker and the genesis services. Every
 * process that opens the same file sees the same world; none keeps state the database lacks.
 */
export interface QueueOptions {
  onStart?: () => void;
  /** Whose turn the command waits for (default: its caller's). */
  lane?: string;
}

export class World {
  /** The principal that administers the world; never reachable over MCP. */
  readonly operator = OPERATOR;
  private closed = false;
  private readonly queue: FairQueue;
  private gateway: LlmGateway | undefined;
  /** Search by meaning over memories, when the config names an embedder (null: full-text only). */
  readonly semantic: SemanticMemory | null;
  private bridgeCache: WorldBridges | null | undefined;
  private installer: PackageInstaller | undefined;
  private readonly prepareServices: PrepareServices;

  private constructor(
    readonly kernel: Kernel,
    readonly store: Store,
    readonly sandbox: Sandbox,
    readonly config: Config,
    readonly clock: Clock,
    private readonly ownsSandbox: boolean,
  ) {
    this.queue = new FairQueue({ maxQueued: config.limits.max_queued_per_principal });
    this.semantic = SemanticMemory.fromConfig(store, config.memory);
    const semantic = this.semantic;

    this.prepareServices = {
      ...(semantic ? { nearestMemories: (memoryId: string, text: string, limit: number) => semantic.nearest(memoryId, text, limit) } : {}),
      ...(config.packages.enabled ? { installPackage: (name: string, version: string | undefined, caller: string) => this.installPackage(name, version, caller) } : {}),
    };
  }

  static async open(opts: OpenWorldOptions = {}): Promise<World> {
    const clock = opts.clock ?? new RealClock();
    const given = opts.config !== undefined ? parseConfig(opts.config) : opts.configFile !== undefined ? loadConfigFile(opts.configFile) : undefined;
    // Store settings are needed before the stored config can be read.
    const boot = given ?? parseConfig({});
    const store = new Store({ path: opts.path ?? ':memory:', busyTimeoutMs: boot.store.busy_timeout_ms, synchronous: boot.store.synchronous, walAutocheckpoint: boot.store.wal_autocheckpoint, pageSize: boot.store.page_size, now: () => clock.now() });
    try {
      const config = resolveConfig(store, given, clock.now());
      const registry = createRegistry();
      seedGenesis(store, registry, config, clock.now());
      const sandboxOpts = { messageBytes: config.sandbox.message_bytes, spinUs: config.sandbox.spin_us, workerStartMs: config.sandbox.worker_start_ms, workers: config.sandbox.workers };
      const own = opts.sandbox === 'own';
      const sandbox = own ? new Sandbox(sandboxOpts) : Sandbox.shared(sandboxOpts);
      await sandbox.start();
      const kernel = new Kernel(store, config, clock, sandbox, registry);
      kernel.seed();
      return new World(kernel, store, sandbox, config, clock, own);
    } catch (err) {
      store.close();
      throw err;
    }
  }

  /** The one door, as `caller`. The caller must be authenticated by whoever calls this. */
  invoke(caller: string, target: string, method: string, args: unknown = {}, opts: InvokeOptions = {}): InvokeResult {
    try {
      return this.kernel.invoke(caller, target, method, args, opts);
    } catch (err) {
      // Bridge calls are made between attempts, which only the queue does (submit).
      if (!(err instanceof BridgeCallNeeded)) throw err;
      return { ok: false, error: new KernelError('UPSTREAM_ERROR', `${err.call.artifact} is a bridge: its calls go through the world's queue (an MCP client, a hosted agent, or World.submit), not this direct call.`, {}).toJSON(), command_id: '', logs: [] };
    }
  }

  /**
   * The one door for requests that can wait their turn (what the MCP servers use): the command joins
   * this process's fair queue and runs when `caller`'s turn comes, so no principal's backlog delays
   * another's. A command that finds no sandbox worker ready (one was just killed) does not wait for a
   * boot: it is rolled back unrecorded and runs again once a worker is ready, while others go on. A
   * caller with too many commands waiting is refused with RATE_LIMITED before anything runs (the
   * result then has an empty command_id). `queue.onStart` is called once, when the command's turn first
   * comes; `queue.lane` queues it as someone other than its caller (the operator's work on a principal's
   * behalf waits in that principal's lane). Lanes are world principals: an agent's wallets and the agents
   * it spawned wait in its own lane (their maker's), so making more of them buys no more of the host.
   */
  submit(caller: string, target: string, method: string, args: unknown = {}, opts: InvokeOptions = {}, queue: QueueOptions = {}): Promise<InvokeResult> {
    const { onStart } = queue;
    const lane = this.laneOf(queue.lane ?? caller);
    let waitForWorker = false;
    let started = false;
    let lockTries = 0;
    let lockDeadline = Infinity;
    // Outcomes of the bridge calls this command reached, made between attempts (see kernel/outside.ts).
    const outside = { record: [] as OutsideRecord[], carriedCpuMs: 0 };
    // Outside work the method needs first (a query's embedding): done in the caller's turn, with the write
    // lock free; its lane waits meanwhile, so the caller's later commands keep their order.
    const prepare = this.prepareFor(target, method, args, caller);
    let prepared: Prepared | null | undefined = prepare === null ? null : undefined;
    const task = (): InvokeResult | NotYet => {
      if (!started) {
        started = true;
        onStart?.();
      }
      if (prepared === undefined) {
        // Work outside the world is done only for a caller who could pay for it: both windows must have room.
        const spent = this.spentWindow(caller);
        if (spent !== null) prepared = { value: { prepare_failed: `your ${spent} window is spent`, code: 'RATE_LIMITED' }, hostMs: 0 };
        else return new NotYet(prepare!().then((p) => (prepared = p)));
      }
      try {
        return this.kernel.invoke(caller, target, method, args, { ...opts, waitForWorker, waitForLock: false, ...(prepared ? { prepared } : {}), ...(outside.record.length || outside.carriedCpuMs ? { outside } : {}) });
      } catch (err) {
        // The command reached a bridge call: made now, outside any transaction, while others' turns go on;
        // then the command runs again from the start with the outcome recorded.
        if (err instanceof BridgeCallNeeded) {
          outside.carriedCpuMs += err.burnedMs;
          // An outcome is always recorded, failures too: a command must never ask for the same call forever.
          return new NotYet(
            this.outsideCall(err, caller)
              .catch((e: unknown) => failedCall(err.call, 'UPSTREAM_ERROR', `${err.call.artifact}.${err.call.tool} failed: ${String((e as Error)?.message ?? e).slice(0, 300)}`, 5_000))
              .then((rec) => outside.record.push(rec)),
          );
        }
        // Another process (a stdio client on the same file) holds the write lock. Waiting for it in
        // SQLite's busy handler would freeze this process; poll instead, while other principals' turns
        // go on. Nothing has run, so past the busy timeout the refusal is all there is to record.
        if (err instanceof WriteLockBusy) {
          if (lockTries++ === 0) lockDeadline = performance.now() + this.config.store.busy_timeout_ms;
          if (performance.now() >= lockDeadline) throw new KernelError('TIMEOUT', `The world database stayed busy with another process's writes for ${this.config.store.busy_timeout_ms} ms. Retry shortly; if it persists, run one \`ecology serve\` for this world and connect clients to it rather than several \`ecology stdio\` processes.`, {}, { retryAfterMs: 1_000 });
          return new NotYet(sleep(lockTries < 50 ? 1 : 4));
        }
        if (!(err instanceof SandboxUnavailable)) throw err;
        // If no worker starts at all, the next attempt waits and fails the ordinary way.
        return new NotYet(this.sandbox.whenReady().catch(() => (waitForWorker = true)));
      }
    };
    return this.queue.submit(lane, task).catch((err: unknown) => {
      if (!(err instanceof KernelError)) throw err;
      return { ok: false, error: err.toJSON(), command_id: '', logs: [] };
    });
  }

  /**
   * The world's bridges to upstream MCP servers (null when bridges are off in the config). Made on first use:
   * most commands (and CLI start-up) never need the definitions read.
   */
  get bridgeHost(): WorldBridges | null {
    if (this.bridgeCache === undefined) {
      this.bridgeCache = this.config.bridges.enabled ? new WorldBridges(this.kernel, this.config, this.store.path, (c, t, m, a) => this.submit(c, t, m, a)) : null;
    }
    return this.bridgeCache;
  }

  /** The upstream servers' manager (null when bridges are off). */
  get bridges(): BridgeManager | null {
    return this.bridgeHost?.manager ?? null;
  }

  /** Registers every bridge's artifact from its upstream's tool list (see WorldBridges.registerAll); what failed, by bridge. */
  registerBridges(opts: { onlyMissing?: boolean; only?: readonly string[] } = {}): Promise<Record<string, string>> {
    return this.bridgeHost?.registerAll(opts) ?? Promise.resolve({});
  }

  /** For serving processes: stop idle upstreams, and follow the operator's bridge changes from any process. */
  followBridges(everyMs?: number): void {
    this.bridgeHost?.follow(everyMs);
  }

  /**
   * The method's prepare, ready to start (null if it has none or the arguments do not parse). Its failure is no
   * failure of the command: the handler finds `{prepare_failed: reason}` and decides (a memory search falls
   * back to words, unless only meaning was asked for).
   */
  private prepareFor(target: string, method: string, args: unknown, caller: string): (() => Promise<Prepared | null>) | null {
    if (typeof target !== 'string' || typeof method !== 'string') return null;
    const def = this.kernel.registry.method(target, method);
    if (!def) return null;
    // artifact_invoke of a genesis method is that method's call (one hop, as the door allows): its outside work
    // too. Looked up before anything is parsed: nearly every call is a forward, and few targets prepare.
    if (def.forward) {
      const a = args as { id?: unknown; method?: unknown } | null;
      const next = typeof a?.id === 'string' && typeof a.method === 'string' ? this.kernel.registry.method(a.id, a.method) : undefined;
      if (!next?.prepare) return null;
      const parsed = def.input.safeParse(args);
      if (!parsed.success) return null;
      const f = def.forward(parsed.data as never);
      return this.prepareFor(f.target, f.method, f.args, caller);
    }
    if (!def.prepare) return null;
    const parsed = def.input.safeParse(args);
    if (!parsed.success) return null;
    const prepare = def.prepare;
    return () => prepare(parsed.data as never, caller, this.prepareServices).catch((err: unknown) => ({ value: { prepare_failed: String((err as Error)?.message ?? err).slice(0, 200) }, hostMs: 0 }));
  }

  /**
   * One bridge call for a command. Refused without calling upstream if the principal paying has no room left
   * in its calls or cpu_ms window, if the caller does not hold the fee, or if this process runs no bridges;
   * the refusal is the call's outcome. An answered call's fee is burned before its result is released, in a
   * command of its own: nothing the calling command does afterwards (fail, roll back a savepoint, take
   * another path when it runs again) can make it free.
   */
  private async outsideCall(need: BridgeCallNeeded, principal: string): Promise<OutsideRecord> {
    const c = need.call;
    if (!this.bridges) return failedCall(c, 'UPSTREAM_ERROR', `This process runs no bridges (bridges.enabled is false), so ${c.artifact} cannot be called here.`, 5_000);
    const spent = this.spentWindow(principal);
    if (spent !== null) return failedCall(c, 'RATE_LIMITED', `${c.artifact}.${c.tool} was not called: your ${spent} window is spent. Wait for it to refill.`, 5_000);
    const have = this.kernel.services.ledger.balance(c.caller, 'scrip');
    if (have < c.fee) return failedCall(c, 'INSUFFICIENT_FUNDS', `${c.artifact}.${c.tool} was not called: it costs ${c.fee} scrip and ${c.caller} holds ${have} (scrip received during the command does not count until it commits). Fund ${c.caller} first.`);
    return callOutside(this.bridges, c, async () => {
      const r = await this.submit(OPERATOR, 'genesis_bridges', 'charge', { payer: c.caller, artifact: c.artifact, tool: c.tool, fee: c.fee });
      return r.ok ? null : r.error;
    });
  }

  /** Fetches and bundles a package for package_install (outside the write transaction), if the caller can pay the base fee. */
  private installPackage(name: string, version: string | undefined, caller: string): Promise<Prepared> {
    this.installer ??= new PackageInstaller(this.config.packages, (n, v) => new Packages(this.store).get(n, v) !== undefined);
    const base = this.config.packages.fee_base;
    return this.installer.install(name, version, () => {
      const have = caller === OPERATOR ? Infinity : this.kernel.services.ledger.balance(caller, 'scrip');
      return have >= base ? null : `Installing costs at least ${base} scrip (more per KiB of bundle); you have ${have}. Nothing was fetched.`;
    });
  }

  /** The first of `calls` and `cpu_ms` that `caller` has no room left in, or null (the operator has no windows). */
  private spentWindow(caller: string): 'calls' | 'cpu_ms' | null {
    if (caller === OPERATOR) return null;
    const rates = this.kernel.services.rates;
    const now = this.clock.now();
    for (const r of ['calls', 'cpu_ms'] as const) if (rates.peekRemaining(caller, r, now) < 1) return r;
    return null;
  }

  /** The fair queue's lane for `id`: its maker, read each time (a sold agent changes makers; one indexed lookup). */
  private laneOf(id: string): string {
    return this.kernel.services.artifacts.makerOf(id);
  }

  /** Operator: creates a principal with its starting allocation (config defaults, overridden by `grants`). */
  createPrincipal(id: string, grants: Partial<Grant> = {}, description?: string): InvokeResult {
    return this.invoke(OPERATOR, 'genesis_world', 'create_principal', { id, grants, ...(description === undefined ? {} : { description }) });
  }

  /** Operator: issues new units of an asset to a principal. */
  grant(to: string, asset: Asset, amount: number): InvokeResult {
    return this.invoke(OPERATOR, 'genesis_world', 'grant', { to, asset, amount });
  }

  /** Settles due scheduled work now (what the background ticker calls). */
  settle(): number {
    return this.kernel.settle();
  }

  /** Grades pending mint winners with the configured LLM and records the results (the host runs this). */
  scorePending(): Promise<number> {
    return scorePending({
      store: this.store,
      config: this.config,
      chat: (messages) => this.scorerChat(messages),
      record: (args) => this.invoke(OPERATOR, 'genesis_mint', 'record_score', args),
    });
  }

  /** The mint's scorer on the LLM gateway: the world's own call, paid by nobody. */
  private async scorerChat(messages: { role: 'system' | 'user'; content: string }[]) {
    const llm = this.config.mint.llm;
    const endpoint = llm.endpoint ?? { name: 'mint-scorer', def: { base_url: llm.base_url, model: llm.model, api_key_env: llm.api_key_env, input_micro_usd_per_1k: 0, output_micro_usd_per_1k: 0, timeout_ms: llm.timeout_ms, max_output_tokens: 512, max_input_tokens: 1_000_000 } };
    this.gateway ??= new LlmGateway(this);
    const r = await this.gateway.chat({ payer: null, endpoint, messages, temperature: 0 });
    return r.ok ? { ok: true as const, content: r.message.content ?? '' } : { ok: false as const, message: `${r.error.code}: ${r.error.message}` };
  }

  check(): InvariantReport {
    return checkInvariants(this.store);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.close(new KernelError('INTERNAL', 'The world was closed before this command ran. Reconnect and send it again.'));
    if (this.ownsSandbox) await this.sandbox.close();
    await this.semantic?.close();
    await this.bridgeCache?.close();
    this.store.close();
  }
}

/** The world's config: the one given (recorded, with an event if it changed) or the one recorded. */
function resolveConfig(store: Store, given: Config | undefined, now: number): Config {
  store.writeTx(() => {
    store.run("INSERT INTO meta (key, value) VALUES ('created_at', ?) ON CONFLICT (key) DO NOTHING", String(now));
    // Seeds the world's tie-breaks (mint auctions): fixed at creation, so replays agree.
    store.run("INSERT INTO meta (key, value) VALUES ('seed', ?) ON CONFLICT (key) DO NOTHING", randomBytes(16).toString('hex'));
  });
  const stored = store.one<{ value: string }>("SELECT value FROM meta WHERE key = 'config'");
  if (given === undefined) return stored ? parseConfig(JSON.parse(stored.value), 'stored config') : parseConfig({});
  const text = canonicalJson(given);
  if (stored?.value !== text) {
    store.writeTx(() => {
      store.run("INSERT INTO meta (key, value) VALUES ('config', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", text);
      if (stored) new EventLog(store).append('config_changed', now, {}, { hash: sha256(text).slice(0, 16) });
    });
  }
  return given;
}
