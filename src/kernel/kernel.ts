import { Allowances } from './allowances.ts';
import { Artifacts } from './artifacts.ts';
import { canonicalJson, sha256 } from './canonical.ts';
import { Command } from './command.ts';
import { Door, OPERATOR, requireShallow } from './door.ts';
import { KernelError, invalidArgs, notFound, toKernelError, type KernelErrorJSON } from './errors.ts';
import { EventLog } from './events.ts';
import { Guest } from './guest.ts';
import { Idempotency } from './idempotency.ts';
import { Ledger } from './ledger.ts';
import { Libraries } from './libraries.ts';
import { Rates } from './rates.ts';
import { Scheduler } from './scheduler.ts';
import { Search } from './search.ts';
import { Stats } from './stats.ts';
import { Tokens } from './tokens.ts';
import { deletedError } from './artifacts.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { WriteLockBusy, type Store } from './db/store.ts';
import type { GenesisRegistry, Prepared } from './genesis.ts';
import { BridgeCallNeeded, type OutsideRecord } from './outside.ts';
import type { Services } from './services.ts';
import { SandboxUnavailable, type Sandbox } from '../sandbox/host.ts';

export interface InvokeOptions {
  /** Same key and same request: the first result, no second effect. Same key, other request: IDEMPOTENCY_CONFLICT. */
  idempotencyKey?: string;
  /** For a call straight to a code artifact: the most the caller accepts in contract fees (default 0). */
  maxFee?: number;
  /** For a call straight to a code artifact: the most the caller accepts as its price. */
  maxPrice?: number;
  /** The most calls the command may draw from the caller's window, nested ones included (default limits.default_max_calls). */
  maxCalls?: number;
  /**
   * false: if the command needs a sandbox worker and none is ready (one was killed and its successor
   * is booting), throw SandboxUnavailable. The command then rolled back and left no record, so it can
   * simply be run again once a worker is ready. Default true: wait for the worker.
   */
  waitForWorker?: boolean;
  /**
   * When another process holds the world's write lock: true (the default) waits in SQLite's busy
   * handler; false throws WriteLockBusy at once, before anything runs or is recorded.
   */
  waitForLock?: boolean;
  /** What the target method's prepare learnt before the command (World.submit runs it); charged as host CPU. */
  prepared?: Prepared;
  /** Outcomes of the bridge calls earlier attempts reached (World.submit makes them), and the CPU those attempts burned. */
  outside?: { record: OutsideRecord[]; carriedCpuMs: number };
}

export type InvokeResult =
  | { ok: true; value: unknown; command_id: string; replayed: boolean; logs: string[] }
  | { ok: false; error: KernelErrorJSON; command_id: string; logs: string[] };

const MAX_KEY_CHARS = 128;
/** How much of a refused command's request the command log keeps. */
const FAILED_REQUEST_CHARS = 1_024;

/**
 * The idempotency key, checked before anything runs. Callers outside TypeScript (MCP clients, guest
 * code) can send any JSON here; a key that is not a string must be refused, never ignored, or a
 * retried call takes effect twice.
 */
function idempotencyKey(key: unknown): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
    const got = typeof key === 'string' ? `${key.length} characters` : key === null ? 'null' : Array.isArray(key) ? 'an array' : `a ${typeof key}`;
    throw invalidArgs(`idempotency_key must be a string of 1-${MAX_KEY_CHARS} characters; got ${got}. Send a unique text key, for example a UUID, or leave it out.`, { limit: MAX_KEY_CHARS });
  }
  return key;
}

/**
 * The world state machine. `invoke` is the only way to change anything: each call is one command,
 * one transaction. Burned resources (CPU) and the failure record are written in a second transaction
 * when the command fails, so failing is never free and never silent.
 */
export class Kernel {
  readonly services: Services;
  readonly scheduler: Scheduler;
  private readonly door: Door;
  private readonly idempotency: Idempotency;

  constructor(
    readonly store: Store,
    readonly config: Config,
    readonly clock: Clock,
    readonly sandbox: Sandbox,
    readonly registry: GenesisRegistry,
  ) {
    const ledger = new Ledger(store);
    const artifacts = new Artifacts(store, ledger, config.limits.artifact_overhead_bytes);
    this.services = {
      store,
      ledger,
      artifacts,
      rates: new Rates(store, config.rates.window_ms),
      events: new EventLog(store),
      stats: new Stats(store),
      search: new Search(store, artifacts),
      tokens: new Tokens(store),
      allowances: new Allowances(store),
      libraries: new Libraries(store),
    };
    this.scheduler = new Scheduler(this.services, config);
    this.idempotency = new Idempotency(store, artifacts, config.limits.idempotency_ttl_ms);
    for (const a of registry.artifacts) for (const [kind, settler] of Object.entries(a.settlers ?? {})) this.scheduler.register(kind, settler);
    const guest = new Guest(this.services, config, sandbox);
    this.door = new Door(this.services, config, registry, guest, this.scheduler);
  }

  /** The one door. `caller` must be the authenticated principal; nothing else names who acts. */
  invoke(caller: string, target: string, method: string, args: unknown = {}, opts: InvokeOptions = {}): InvokeResult {
    const now = this.clock.now();
    const cmd = new Command(Command.newId(now), caller, now, this.config.limits.max_log_bytes);
    cmd.waitForWorker = opts.waitForWorker ?? true;
    if (opts.prepared) {
      cmd.prepared = opts.prepared.value;
      cmd.hostMs += opts.prepared.hostMs;
    }
    if (opts.outside) {
      cmd.outsideRecord = opts.outside.record;
      // Every call in the record was made: its upstream CPU is charged whether or not this run reaches it again.
      cmd.hostMs += opts.outside.carriedCpuMs + opts.outside.record.reduce((sum, r) => sum + r.cpu_ms, 0);
    }
    // What earlier attempts and outside work cost, charged with this attempt; a stopped attempt carries only its own CPU on.
    const inherited = cmd.hostMs;
    let request = '';
    let key: string | undefined;
    try {
      // Named as asked until the door resolves it (a forward names its real target), so a command refused
      // before that (its window spent) is still recorded against what it asked for.
      cmd.target = typeof target === 'string' ? target.slice(0, 64) : null;
      cmd.method = typeof method === 'string' ? method.slice(0, 64) : null;
      request = this.requestText(target, method, args);
      cmd.callWeight = 1 + Math.floor(Math.max(0, request.length - 1) / this.config.limits.call_bytes);
      key = idempotencyKey(opts.idempotencyKey);
      const out = this.store.writeTx(
        () => {
          const r = this.top(cmd, target, method, args, request, key, opts);
          // Code that caught the stop and went on must not commit: the call it reached was never made.
          if (cmd.pendingOutside) throw new BridgeCallNeeded(cmd.pendingOutside, 0);
          return r;
        },
        { wait: opts.waitForLock ?? true },
      );
      return { ok: true, value: out.value, command_id: out.commandId, replayed: out.replayed, logs: cmd.logs };
    } catch (err) {
      if (err instanceof SandboxUnavailable || err instanceof WriteLockBusy) throw err;
      // Rolled back, unrecorded: World.submit makes the call and runs the command again, carrying this CPU.
      if (cmd.pendingOutside) throw new BridgeCallNeeded(cmd.pendingOutside, cmd.cpuUsedMs + cmd.hostMs - inherited);
      const e = toKernelError(err);
      this.recordFailure(cmd, request, key, e);
      return { ok: false, error: e.toJSON(), command_id: cmd.id, logs: cmd.logs };
    }
  }

  /** Runs every genesis artifact's seed hook in one transaction (at open; idempotent). */
  seed(): void {
    const now = this.clock.now();
    const cmd = new Command(Command.newId(now), OPERATOR, now, this.config.limits.max_log_bytes);
    this.store.writeTx(() => {
      for (const a of this.registry.artifacts) if (a.seed) this.scheduler.runSeed(cmd, a.seed);
      // Genesis code keeps its state in data artifacts it owns, so it needs disk like any principal: a base,
      // and a share for each principal the operator created (see GenesisCodeDef.diskPerPrincipal).
      const principals = this.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM artifacts WHERE created_by = ? AND has_standing = 1", OPERATOR)!.n;
      for (const c of this.registry.code) {
        const short = c.diskBytes + principals * (c.diskPerPrincipal ?? 0) - this.services.ledger.balance(c.id, 'disk_bytes');
        if (short > 0) this.services.ledger.issue(c.id, 'disk_bytes', short, { at: now, commandId: cmd.id, cause: 'genesis code disk quota' });
      }
    });
  }

  /**
   * Settles all scheduled work that is due (the background ticker; commands also settle lazily, a batch
   * each), a batch per transaction so other writers get their turns in between.
   */
  settle(): number {
    let total = 0;
    for (;;) {
      const now = this.clock.now();
      const cmd = new Command(Command.newId(now), OPERATOR, now, this.config.limits.max_log_bytes);
      const n = this.store.writeTx(() => this.scheduler.settleDue(cmd));
      total += n;
      if (n === 0) return total;
    }
  }

  private top(cmd: Command, target: string, method: string, args: unknown, request: string, key: string | undefined, opts: InvokeOptions): { value: unknown; commandId: string; replayed: boolean } {
    this.requireCaller(cmd.principal);
    // The window first: a command is a call whatever becomes of it (a replay, a refusal for bad arguments),
    // so a principal whose window is spent is refused before anything else is done for it.
    if (cmd.principal !== OPERATOR) this.services.rates.consume(cmd.principal, 'calls', cmd.callWeight, cmd.now);
    const hash = key === undefined ? '' : sha256(request);
    if (key !== undefined) {
      const prior = this.idempotency.find(cmd.principal, key, cmd.now);
      if (prior) {
        if (prior.request_hash !== hash) {
          throw new KernelError('IDEMPOTENCY_CONFLICT', `idempotency_key '${key}' was already used for a different request (command ${prior.command_id}). Use a new key for a new request.`, {
            key,
            command_id: prior.command_id,
          });
        }
        return { value: JSON.parse(prior.result), commandId: prior.command_id, replayed: true };
      }
    }
    const value = this.door.enter(cmd, cmd.principal, target, method, args, 0, {
      ...(opts.maxFee === undefined ? {} : { maxFee: opts.maxFee }),
      ...(opts.maxPrice === undefined ? {} : { maxPrice: opts.maxPrice }),
      ...(opts.maxCalls === undefined ? {} : { maxCalls: opts.maxCalls }),
    });
    const resultText = JSON.stringify(value ?? null);
    this.chargeBurned(cmd);
    this.logCommand(cmd, request, key, true, null, sha256(resultText));
    if (key !== undefined) this.idempotency.keep(cmd.principal, key, hash, resultText, cmd.id, cmd.now);
    return { value, commandId: cmd.id, replayed: false };
  }

  private requireCaller(id: string): void {
    if (typeof id !== 'string' || id.length === 0) throw invalidArgs('The caller must be a principal id.', {});
    const a = this.services.artifacts.standing(id);
    if (!a) throw notFound('Principal', id, 'Only principals created by the operator (or artifacts with standing) can act.');
    if (a.deleted_at !== null) throw deletedError({ id, ...a });
    if (!a.has_standing) throw new KernelError('ACCESS_DENIED', `'${id}' has no standing and cannot act as a principal.`, { id });
    // A hosted agent listed for sale is in escrow's custody: it does nothing until the sale ends, so what the
    // buyer was shown is what the buyer gets.
    if (a.listing !== null) throw new KernelError('ACCESS_DENIED', `'${id}' is listed for sale in escrow (${a.listing}) and cannot act until the listing ends (bought, cancelled with escrow_cancel, or lapsed).`, { id, listing_id: a.listing });
  }

  private requestText(target: string, method: string, args: unknown): string {
    requireShallow(args, this.config.limits.max_args_depth);
    try {
      return canonicalJson([target, method, args ?? {}]);
    } catch (err) {
      throw invalidArgs(`Arguments must be JSON: ${(err as Error).message}.`, {});
    }
  }

  /** CPU burned and nested calls made are charged whatever happens; the caller's windows record them. */
  private chargeBurned(cmd: Command): void {
    const cpu = cmd.cpuUsedMs + cmd.hostMs;
    if (cpu > 0) this.services.rates.charge(cmd.principal, 'cpu_ms', Math.ceil(cpu), cmd.now, cmd.cpuWindowLeft);
    if (cmd.nested > 0 && cmd.principal !== OPERATOR) this.services.rates.charge(cmd.principal, 'calls', cmd.nested, cmd.now, cmd.callsWindowLeft);
  }

  private logCommand(cmd: Command, request: string, key: string | undefined, ok: boolean, code: string | null, resultHash: string): void {
    // A refused command's effects (its charges) are in its row; its request, and what was prepared for it (a
    // package's whole bundle), are kept only in part, so refusals cannot fill the log. A command that ran keeps
    // all of it: a replay needs it.
    const kept = (text: string) => (ok || text.length <= FAILED_REQUEST_CHARS ? text : `${text.slice(0, FAILED_REQUEST_CHARS)}…[${text.length} characters, sha256 ${sha256(text)}]`);
    this.store.run(
      `INSERT INTO commands (id, at, principal, target, method, args, idempotency_key, ok, error_code, result_hash, cpu_ms, prepared, outside)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      cmd.id,
      cmd.now,
      cmd.principal,
      cmd.target ?? '',
      cmd.method ?? '',
      kept(request),
      key ?? null,
      ok ? 1 : 0,
      code,
      resultHash,
      Math.ceil(cmd.cpuUsedMs),
      cmd.prepared === undefined ? null : kept(JSON.stringify(cmd.prepared)),
      cmd.outsideRecord.length === 0 ? null : JSON.stringify(cmd.outsideRecord),
    );
  }

  private recordFailure(cmd: Command, request: string, key: string | undefined, e: KernelError): void {
    try {
      this.store.writeTx(() => {
        const s = this.services;
        if (s.artifacts.isPrincipal(cmd.principal)) {
          // A refused command is a call like any other (its attempt rolled back, so it is charged here).
          s.rates.charge(cmd.principal, 'calls', cmd.callWeight, cmd.now);
          this.chargeBurned(cmd);
        }
        if (cmd.target !== null && cmd.recordInvocation) {
          if (cmd.top.executed) s.stats.record(cmd.target, cmd.principal, false, 0, cmd.now);
          const target = s.artifacts.meta(cmd.target);
          const open = target !== undefined && this.door.isPublic(target);
          s.events.append('invoke_failure', cmd.now, { principal: cmd.principal, artifact: cmd.target, commandId: cmd.id }, {
            caller: cmd.principal, depth: 0, duration_ms: Math.round(performance.now() - cmd.startedAt), code: e.code, ...(open ? { method: cmd.method ?? '' } : {}),
          });
        }
        if (e.code === 'RATE_LIMITED') {
          const d = e.details as { resource?: string; needed?: number; remaining?: number };
          s.events.append('rate_limited', cmd.now, { principal: cmd.principal, artifact: cmd.target, commandId: cmd.id }, {
            resource: String(d.resource ?? ''), needed: Number(d.needed ?? 0), remaining: Number(d.remaining ?? 0), retry_after_ms: e.retryAfterMs ?? 0,
          });
        }
        if (request !== '' && s.artifacts.isPrincipal(cmd.principal)) this.logCommand(cmd, request, key, false, e.code, sha256(JSON.stringify(e.toJSON())));
      });
    } catch (err) {
      // The command already failed and rolled back; losing its failure record must not hide the original error.
      process.stderr.write(`agent-ecology: could not record failed command ${cmd.id}: ${(err as Error).message}\n`);
    }
  }
}
