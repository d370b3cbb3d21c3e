import { KernelError, toKernelError, type ErrorCode } from './errors.ts';
import { toMeta, type ArtifactMeta } from './artifact.ts';
import { decideBuiltin, discoverable, isBuiltinContract, parseContractDecision, usableContract, type Decision, type PermissionRequest } from './contracts.ts';
import { isAsset, isSealedAccount } from './ledger.ts';
import { ERROR_CODES } from './errors.ts';
import { ImportResolver, type Pinned } from './resolver.ts';
import { SandboxAborted, type FrameResult, type RpcHandler, type Sandbox } from '../sandbox/host.ts';
import type { Frame, GuestError, RpcRequest } from '../sandbox/protocol.ts';
import type { Command } from './command.ts';
import type { Config } from './config.ts';
import type { Services } from './services.ts';

/** How guest code re-enters the door; supplied by the door itself, which owns the invoke algorithm. */
export type NestedInvoke = (cmd: Command, caller: string, target: string, method: string, args: unknown, depth: number, opts: { pay: number; maxFee: number; maxPrice?: number }) => unknown;

type Reply = ReturnType<RpcHandler>;

/** A module as a write sees it: its exports with their types, an exported `terms` object if any, and what it imports. */
export interface ModuleReport {
  exports: Record<string, string>;
  terms?: unknown;
  /** What the module pinned (null when it was loaded through the pins its artifact already has). */
  pinned: Pinned | null;
}

/**
 * Everything that runs in the sandbox on the kernel's behalf: artifact methods, code contracts and
 * syntax checks. It owns CPU accounting for the command and serves guest calls (invoke for methods,
 * a read-only view for contracts, imports of library artifacts).
 */
export class Guest {
  private frameSeq = 0;
  private readonly imports: ImportResolver;
  /** view calls made by each running contract frame (bounded per decision). */
  private readonly views = new Map<number, number>();
  /** Module frames being checked for a write, and the imports they pinned. */
  private readonly pinning = new Map<number, Pinned>();
  invokeNested: NestedInvoke = () => {
    throw new Error('Guest.invokeNested is not wired');
  };

  constructor(
    private readonly s: Services,
    private readonly config: Config,
    private readonly sandbox: Sandbox,
  ) {
    this.imports = new ImportResolver(s);
  }

  /** Runs `method` of a code artifact as `caller`; returns its parsed JSON result or throws its error. */
  runMethod(cmd: Command, caller: string, target: ArtifactMeta, method: string, args: unknown, depth: number, paid = 0): unknown {
    const frame = this.frame(cmd, 'method', target.id, this.s.artifacts.code(target), caller, method, args, this.config.sandbox.cpu_ms, paid);
    const r = this.run(cmd, frame, (req) => this.serve(cmd, frame, depth, req), depth > 0 ? target.id : '');
    if (!r.outcome.ok) throw fromGuest(r.outcome.error);
    return JSON.parse(r.outcome.value) as unknown;
  }

  /** Asks the target's contract. Missing or unusable contracts fall back to the default, with an event. */
  decide(cmd: Command, req: PermissionRequest): Decision {
    const id = req.target.access_contract_id;
    if (isBuiltinContract(id)) return decideBuiltin(id, req);
    const contract = this.s.artifacts.get(id);
    const unusable = usableContract(contract);
    if (unusable !== null) {
      const fallback = this.config.contracts.default;
      this.s.events.append('contract_fallback', cmd.now, { principal: req.caller, artifact: req.target.id, commandId: cmd.id }, { contract: id, fallback, reason: unusable });
      const d = decideBuiltin(fallback, req);
      return { ...d, reason: `contract ${id} ${unusable}; fell back to ${fallback}: ${d.reason}` };
    }
    const request = { caller: req.caller, action: req.action, target: req.target, method: req.method, args: req.args };
    const frame = this.frame(cmd, 'contract', contract!.id, contract!.code, req.caller, 'check_permission', request, this.config.sandbox.contract_cpu_ms);
    let r: FrameResult;
    try {
      r = this.run(cmd, frame, (q) => this.serve(cmd, frame, 0, q), `contract ${id}`);
    } catch (err) {
      // A contract that blows the whole session's budget still only denies.
      if (err instanceof KernelError && err.code === 'TIMEOUT') return { allowed: false, reason: `contract ${id} timed out; denied (fail closed)`, cost: 0, contract: id };
      throw err;
    } finally {
      this.views.delete(frame.id);
    }
    if (!r.outcome.ok) {
      const why = r.outcome.error.code === 'TIMEOUT' ? 'timed out' : `failed (${r.outcome.error.message})`;
      return { allowed: false, reason: `contract ${id} ${why}; denied (fail closed)`, cost: 0, contract: id };
    }
    return parseContractDecision(id, JSON.parse(r.outcome.value), this.config.contracts.max_cost, req.action, contract!.terms);
  }

  /**
   * Evaluates a module as it would run (top-level code included, with no invoke) and lists its exports
   * and their types, so a write can check the code against its interface, with the JSON of an exported
   * `terms` object. Throws INVALID_ARGS if the module does not load.
   */
  inspectModule(cmd: Command, writer: string, id: string, code: string, repin: boolean): ModuleReport {
    const frame = this.frame(cmd, 'module', id, code, writer, '', {}, this.config.sandbox.cpu_ms);
    const pinned: Pinned | null = repin ? { imports: {}, closure: [] } : null;
    if (pinned) this.pinning.set(frame.id, pinned);
    let r: FrameResult;
    try {
      r = this.run(cmd, frame, (q) => this.serve(cmd, frame, 0, q), '');
    } finally {
      this.pinning.delete(frame.id);
    }
    if (!r.outcome.ok) {
      const e = r.outcome.error;
      if (e.code === 'INVALID_ARGS') throw new KernelError('INVALID_ARGS', `${e.message} Fix it and write again.`, {});
      throw new KernelError('INVALID_ARGS', `The code does not load as an ES module: ${e.message}. Fix it and write again.`, { error: e.message });
    }
    return { ...(JSON.parse(r.outcome.value) as Omit<ModuleReport, 'pinned'>), pinned };
  }

  private frame(cmd: Command, kind: Frame['kind'], artifact: string, code: string, caller: string, entry: string, args: unknown, cpuMs: number, paid = 0): Frame {
    const id = ++this.frameSeq;
    return { id, kind, artifact, caller, code, entry, args: JSON.stringify(args ?? {}), now: cmd.now, seed: cmd.seed(id), cpuMs, paid };
  }

  /** Runs a frame, opening a sandbox session (with this command's CPU budget) if none is open. */
  private run(cmd: Command, frame: Frame, serve: RpcHandler, logPrefix: string): FrameResult {
    if (this.sandbox.inSession) {
      const r = this.sandbox.run(frame, serve);
      cmd.addLogs(r.logs, logPrefix);
      return r;
    }
    const sb = this.config.sandbox;
    const limits = {
      memoryBytes: sb.memory_bytes,
      stackBytes: sb.stack_bytes,
      cpuMs: this.sessionBudget(cmd),
      maxOutputBytes: this.config.limits.max_output_bytes,
      maxLogBytes: this.config.limits.max_log_bytes,
    };
    let r: FrameResult;
    const started = performance.now();
    try {
      r = this.sandbox.run(frame, serve, { limits, killGraceMs: sb.kill_grace_ms, hardKillMs: sb.hard_kill_ms, waitForWorker: cmd.waitForWorker });
    } catch (err) {
      if (!(err instanceof SandboxAborted)) throw err;
      // All the run time the guest had is charged, overrun included: the budget left room for it in the window.
      cmd.cpuUsedMs += err.guestMs;
      throw abortedError(err, frame.artifact, limits.cpuMs, sb.hard_kill_ms);
    }
    cmd.cpuUsedMs += r.cpuMs;
    // The guest's stopwatch stops while the host serves its calls (so it is never killed for the host's
    // work), but that time is the command's too: it is billed to the caller's cpu_ms window, so a guest
    // cannot keep the host busy for free through calls, looks and imports.
    cmd.hostMs += Math.max(0, performance.now() - started - r.cpuMs);
    cmd.addLogs(r.logs, logPrefix);
    return r;
  }

  /**
   * CPU the next session may use: the per-command budget, capped by the caller's cpu_ms window less
   * the kill grace, so that even a session killed at its budget plus the grace is charged in full.
   */
  private sessionBudget(cmd: Command): number {
    const grace = this.config.sandbox.kill_grace_ms;
    if (cmd.cpuWindowLeft === null) cmd.cpuWindowLeft = this.s.rates.status(cmd.principal, 'cpu_ms', cmd.now).remaining;
    // Host time already charged to the command counts (earlier runs of it that stopped at a bridge call among it).
    const windowLeft = cmd.cpuWindowLeft - cmd.cpuUsedMs - cmd.hostMs - grace;
    if (windowLeft < 1) throw this.s.rates.limitedError(cmd.principal, 'cpu_ms', Math.ceil(cmd.cpuUsedMs + cmd.hostMs) + grace + 1, cmd.now);
    const commandLeft = this.config.sandbox.cpu_ms - cmd.cpuUsedMs;
    if (commandLeft < 1) {
      throw new KernelError('TIMEOUT', `This command has used its whole CPU budget (${this.config.sandbox.cpu_ms} ms). Split the work across several calls.`, { cpu_ms: this.config.sandbox.cpu_ms });
    }
    return Math.floor(Math.min(windowLeft, commandLeft));
  }

  /**
   * Serves one guest call. The guest's stopwatch stops meanwhile (so a guest is never killed for the
   * host's work), but the host's time on looks and imports is the command's: it is billed to the
   * caller's cpu_ms window, so a guest cannot keep the host busy for free. (A nested invoke is a call of
   * its own, counted against the calls window, and the code it runs is on the guest's stopwatch.)
   */
  private serve(cmd: Command, frame: Frame, depth: number, req: RpcRequest): Reply {
    if (req.op === 'invoke') return this.serveOne(cmd, frame, depth, req);
    const started = performance.now();
    try {
      return this.serveOne(cmd, frame, depth, req);
    } finally {
      cmd.hostMs += performance.now() - started;
    }
  }

  private serveOne(cmd: Command, frame: Frame, depth: number, req: RpcRequest): Reply {
    if (req.frame !== frame.id) return refuse('ACCESS_DENIED', 'A call arrived from a frame that is not running. Call invoke() only while your own method runs.');
    try {
      if (req.op === 'invoke') return this.serveInvoke(cmd, frame, depth, req);
      if (req.op === 'view') return this.serveView(frame, req.fn, req.params);
      if (req.op === 'resolve') {
        const name = this.imports.resolve(frame, req.base, req.name, this.pinning.get(frame.id) ?? null, (q) => this.decide(cmd, q));
        return { ok: true, value: JSON.stringify(name) };
      }
      return { ok: true, value: JSON.stringify(this.imports.code(req.name)) };
    } catch (err) {
      if (err instanceof SandboxAborted) throw err;
      return { ok: false, error: toKernelError(err).toJSON() };
    }
  }

  private serveInvoke(cmd: Command, frame: Frame, depth: number, req: Extract<RpcRequest, { op: 'invoke' }>): Reply {
    const { target, method } = req;
    if (frame.kind !== 'method') return refuse('ACCESS_DENIED', 'Only a running method can invoke; contracts and module loading cannot.');
    let args: unknown;
    try {
      args = JSON.parse(req.args);
    } catch {
      return refuse('INVALID_ARGS', 'invoke() arguments must be JSON-serialisable.');
    }
    const whole = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!whole(req.pay) || !whole(req.maxFee) || (req.maxPrice !== undefined && !whole(req.maxPrice))) {
      return refuse('INVALID_ARGS', 'invoke(id, method, args, { pay, max_fee, max_price }) needs each option to be a whole number of scrip, at least 0.');
    }
    // The immediate caller is the artifact whose code is running: bound here, never taken from the guest.
    const opts = { pay: req.pay, maxFee: req.maxFee, ...(req.maxPrice === undefined ? {} : { maxPrice: req.maxPrice }) };
    const value = this.invokeNested(cmd, frame.artifact, target, method, args, depth + 1, opts);
    const text = JSON.stringify(value ?? null);
    if (text.length > this.config.limits.max_output_bytes) {
      return refuse('LIMIT_EXCEEDED', `The result of ${target}.${method} exceeds ${this.config.limits.max_output_bytes} bytes and cannot be passed to your code.`);
    }
    return { ok: true, value: text };
  }

  private serveView(frame: Frame, fn: string, paramsText: string): Reply {
    if (frame.kind !== 'contract') return refuse('ACCESS_DENIED', 'view is only available to contracts.');
    const used = (this.views.get(frame.id) ?? 0) + 1;
    this.views.set(frame.id, used);
    if (used > this.config.limits.max_view_calls) {
      return refuse('LIMIT_EXCEEDED', `A contract may look at most ${this.config.limits.max_view_calls} times per decision (limits.max_view_calls). Decide from less.`);
    }
    const params = JSON.parse(paramsText) as (string | null)[];
    if (fn === 'balance') {
      const [principal, asset = 'scrip'] = params.map((p) => p ?? undefined);
      if (!principal || !isAsset(asset)) return refuse('INVALID_ARGS', 'view.balance(principal, asset?) needs a principal id and, optionally, a known asset (default scrip).');
      if (isSealedAccount(principal)) return refuse('ACCESS_DENIED', `The ${principal} account holds sealed bids; its balance is not public.`);
      return { ok: true, value: JSON.stringify(this.s.ledger.balance(principal, asset)) };
    }
    if (fn === 'artifact') {
      const [id] = params;
      if (!id) return refuse('INVALID_ARGS', 'view.artifact(id) needs an artifact id.');
      const a = this.s.artifacts.meta(id);
      return { ok: true, value: JSON.stringify(a && this.viewable(frame.artifact, a) ? a : null) };
    }
    return refuse('INVALID_ARGS', `Unknown view function '${fn}'. Available: balance, artifact.`);
  }

  /**
   * What a contract may see of an artifact: what both its owner and its author could discover (from
   * declared terms, no code runs), or an artifact the contract itself governs (its owner chose this
   * contract). So a contract cannot read the private description or interface of someone else's artifact
   * and leak it in a reason, not even after its author hands it to that someone.
   */
  private viewable(contractId: string, a: ArtifactMeta): boolean {
    if (a.access_contract_id === contractId) return true;
    const contract = this.s.artifacts.meta(contractId);
    if (!contract) return false;
    const lookup = (id: string) => this.s.artifacts.meta(id);
    return [contract.owner, contract.created_by].every((who) => discoverable(who, a, lookup, this.config.contracts.default));
  }

}

/** The command's error for a session the sandbox had to kill, saying how much was charged. */
function abortedError(err: SandboxAborted, artifact: string, budgetMs: number, hardKillMs: number): KernelError {
  const charged = Math.ceil(err.guestMs);
  const details = { artifact, cpu_ms: budgetMs, charged_cpu_ms: charged };
  if (err.reason === 'cpu') {
    return new KernelError(
      'TIMEOUT',
      `'${artifact}' was stopped after ${charged} ms of CPU: a native operation (such as building a huge array or string) ran past the ${budgetMs} ms deadline, where it cannot be interrupted. All ${charged} ms are charged to your cpu_ms window. Do less work per call.`,
      details,
      { retriable: false },
    );
  }
  if (err.reason === 'wall') {
    return new KernelError(
      'TIMEOUT',
      `The command was stopped after ${hardKillMs} ms of wall-clock time while '${artifact}' ran (sandbox.hard_kill_ms). Make fewer or cheaper nested calls per command.`,
      { ...details, hard_kill_ms: hardKillMs },
      { retriable: false },
    );
  }
  return new KernelError('TIMEOUT', `The sandbox failed while running '${artifact}' and was restarted. Retry; if it repeats, the code triggers a sandbox fault.`, details, { retriable: true });
}

function refuse(code: ErrorCode, message: string): Reply {
  return { ok: false, error: { code, message, details: {} } };
}

const CODES = new Set<string>(ERROR_CODES);

function fromGuest(e: GuestError): KernelError {
  const code = (CODES.has(e.code) ? e.code : 'EXECUTION_ERROR') as ErrorCode;
  const opts: { retriable?: boolean; retryAfterMs?: number } = {};
  if (e.retriable !== undefined) opts.retriable = e.retriable;
  if (e.retry_after_ms !== undefined) opts.retryAfterMs = e.retry_after_ms;
  return new KernelError(code, e.message, e.details ?? {}, opts);
}
