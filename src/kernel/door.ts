import type * as z from 'zod';
import { KernelError, accessDenied, invalidArgs, limitExceeded, notFound, toKernelError } from './errors.ts';
import { OPERATOR, effectivePrice, toMeta, type ArtifactMeta, type InterfaceMethod } from './artifact.ts';
import { deletedError } from './artifacts.ts';
import { compileSchema, schemaErrors } from './schema.ts';
import { canonicalJson, nestsDeeperThan, sha256 } from './canonical.ts';
import { BridgeCallNeeded } from './outside.ts';
import { SandboxAborted } from '../sandbox/host.ts';
import { discoverable, isPublicArtifact, type Action, type Decision } from './contracts.ts';
import type { Command } from './command.ts';
import type { Config } from './config.ts';
import type { GenesisMethod, GenesisRegistry, HandlerContext } from './genesis.ts';
import type { Guest } from './guest.ts';
import type { Services } from './services.ts';
import type { Scheduler } from './scheduler.ts';

/** Re-exported: the kernel's callers have always found the operator here. */
export { OPERATOR };

type Spec = { kind: 'genesis'; def: GenesisMethod; price: number } | { kind: 'code'; method: InterfaceMethod; price: number } | { kind: 'bridge'; method: InterfaceMethod; price: number };

/** Whether a call got as far as running (then a failure is the artifact's, not the caller's). */
export interface CallState {
  executed: boolean;
}

/** What a caller attaches to one call, and the most it accepts to be charged for it. */
export interface CallOptions {
  /** Scrip attached (like msg.value): moved to the target before its code runs. */
  pay?: number;
  /** The most the caller accepts in contract fees for this call; absent means 0: a fee is refused, never charged. */
  maxFee?: number;
  /** The most the caller accepts as the method's price; absent means any price the caller could read beforehand. */
  maxPrice?: number;
  /** For a top-level call: the most calls it may draw from the caller's window, nested ones included. */
  maxCalls?: number;
  /** Set on a call made through a forward (store.invoke), which may not forward again. */
  forwarded?: boolean;
}

/**
 * The one door: every state change passes through `enter`, in the order of DESIGN.md §4:
 * validate, settle due work, rate-check calls, ask the contract, check the price, execute, pay,
 * record. Nested calls run in a savepoint, so a failed nested call undoes only itself.
 */
export class Door {
  /**
   * Genesis artifacts as this process seeded them. Nothing can write, delete or transfer a genesis_
   * artifact, so their rows change only when a build reseeds them at open; dispatch follows this
   * process's registry in any case.
   */
  private readonly genesisMeta = new Map<string, ArtifactMeta>();

  constructor(
    private readonly s: Services,
    private readonly config: Config,
    private readonly registry: GenesisRegistry,
    private readonly guest: Guest,
    private readonly scheduler: Scheduler,
  ) {
    guest.invokeNested = (cmd, caller, target, method, args, depth, opts) => this.enter(cmd, caller, target, method, args, depth, opts);
  }

  enter(cmd: Command, caller: string, targetId: string, method: string, args: unknown, depth: number, opts: CallOptions = {}): unknown {
    const target = this.resolve(targetId);
    const spec = this.spec(target, method, cmd.now);
    if (spec.kind === 'genesis' && spec.def.forward) {
      // One hop only: a forward to a forward would nest without limit at no depth cost.
      if (opts.forwarded) throw invalidArgs(`${target.id}.${method} cannot be called through itself. Name the artifact you want to call directly.`, { artifact: target.id, method });
      // A transparent door (store.invoke): the forwarded call is the call, made by the same caller.
      const parsed = this.parse(spec, target, method, args, depth);
      const f = spec.def.forward(parsed as never);
      return this.enter(cmd, caller, f.target, f.method, f.args, depth, { ...f.options, forwarded: true });
    }
    if (depth === 0) {
      cmd.target = target.id;
      cmd.method = method;
      cmd.recordInvocation = recordsInvocation(spec);
      cmd.maxCalls = Math.min(opts.maxCalls ?? this.config.limits.default_max_calls, this.config.limits.max_nested_invokes + 1);
      return this.call(cmd, caller, target, method, spec, args, depth, opts, cmd.top);
    }
    if (depth > this.config.limits.max_invoke_depth) {
      throw limitExceeded(`Nested invoke depth ${depth} exceeds the limit of ${this.config.limits.max_invoke_depth}. Flatten the call chain.`, { limit: this.config.limits.max_invoke_depth });
    }
    if (cmd.nested >= this.config.limits.max_nested_invokes) {
      throw limitExceeded(`This command made more than ${this.config.limits.max_nested_invokes} nested invokes. Split the work across several commands.`, { limit: this.config.limits.max_nested_invokes });
    }
    // A refused attempt is not counted: a command draws at most what its limits allow.
    this.countNestedCall(cmd);
    cmd.nested++;
    const started = performance.now();
    const state: CallState = { executed: false };
    try {
      return this.s.store.writeTx(() => this.call(cmd, caller, target, method, spec, args, depth, opts, state));
    } catch (err) {
      if (err instanceof SandboxAborted || err instanceof BridgeCallNeeded) throw err;
      const e = toKernelError(err);
      // The savepoint is gone; the failure itself is still part of the (outer) command's record.
      if (recordsInvocation(spec)) {
        if (state.executed) this.s.stats.record(target.id, caller, false, 0, cmd.now);
        const open = this.isPublic(target);
        this.s.events.append('invoke_failure', cmd.now, { principal: caller, artifact: target.id, commandId: cmd.id }, {
          caller, depth, duration_ms: Math.round(performance.now() - started), code: e.code, ...(open ? { method } : {}),
        });
      }
      throw e;
    }
  }

  /**
   * A nested invoke is a call like any other, drawn from the window of the principal whose command it
   * is: otherwise one top-level call could do the work of hundreds. Counted here, charged at the end
   * (with the command, or with its failure record), so a refused nested call still counts.
   */
  private countNestedCall(cmd: Command): void {
    if (cmd.principal === OPERATOR) return;
    if (cmd.nested + 2 > cmd.maxCalls) {
      throw limitExceeded(`This call may draw at most ${cmd.maxCalls} calls from your window (max_calls), nested ones included, and needs more. Call again with a larger max_calls (up to ${this.config.limits.max_nested_invokes + 1}) if you accept that.`, {
        max_calls: cmd.maxCalls,
      });
    }
    if (cmd.callsWindowLeft === null) cmd.callsWindowLeft = this.s.rates.status(cmd.principal, 'calls', cmd.now).remaining;
    if (cmd.nested + 1 > cmd.callsWindowLeft) throw this.s.rates.limitedError(cmd.principal, 'calls', 1, cmd.now, cmd.nested);
  }

  private call(cmd: Command, caller: string, target: ArtifactMeta, method: string, spec: Spec, rawArgs: unknown, depth: number, opts: CallOptions, state: CallState): unknown {
    const started = performance.now();
    const pay = opts.pay ?? 0;
    // 1. Validate (resolve and spec already done by `enter`).
    const args = this.parse(spec, target, method, rawArgs, depth);
    // 2. Settle due scheduled work. (The call was counted against the caller's window before anything,
    // by the kernel: see Kernel.top.)
    if (depth === 0) this.scheduler.settleDue(cmd);
    // 4. Permission.
    if (spec.kind === 'genesis' && spec.def.operatorOnly && caller !== OPERATOR) {
      throw accessDenied(`${target.id}.${method} is reserved for the world operator.`, { artifact: target.id, method });
    }
    const decision = this.guest.decide(cmd, { caller, action: 'invoke', target: toMeta(target), method, args });
    if (!decision.allowed) throw denied('invoke', target, decision);
    requireFeeAccepted(target, 'invoke', decision, opts.maxFee ?? 0);
    // 5. Price (and any attached payment): never above what the caller said it accepts.
    if (opts.maxPrice !== undefined && spec.price > opts.maxPrice) {
      throw new KernelError('CONFLICT', `${target.id}.${method} costs ${spec.price} scrip, more than your max_price of ${opts.maxPrice}. Check its price with artifact_info, then call again with a max_price you accept.`, {
        artifact: target.id,
        method,
        price: spec.price,
        max_price: opts.maxPrice,
      });
    }
    // A bridge's fee is not paid here: it is burned when its call is made, outside (see runBridge).
    const price = spec.kind === 'bridge' ? 0 : spec.price;
    const total = price + decision.cost + pay;
    if (total > 0) this.requireFunds(caller, total, `${target.id}.${method} costs ${price}${decision.cost > 0 ? ` plus a contract fee of ${decision.cost}` : ''}${pay > 0 ? ` plus ${pay} attached` : ''}`);
    if (pay > 0) this.attach(cmd, caller, target, method, pay);
    // 6. Execute. Only from here is a failure the artifact's own (its record counts it); a call refused
    // before (bad arguments, a contract's denial, a price above max_price) says nothing about it.
    state.executed = true;
    const value =
      spec.kind === 'genesis' ? this.runGenesis(cmd, caller, spec.def, args, depth) : spec.kind === 'bridge' ? this.runBridge(cmd, caller, target, spec.method, args as Record<string, unknown>, spec.price) : this.runCode(cmd, caller, target, spec.method, args, depth, pay);
    // 7. Pay, record.
    const posting = { at: cmd.now, commandId: cmd.id, cause: `price:${target.id}.${method}` };
    let paid = 0;
    if (spec.price > 0) {
      // Genesis prices leave the world (burned), as bridge fees did when their calls were made; a code artifact's price goes to its owner.
      if (spec.kind === 'genesis') this.s.ledger.burn(caller, 'scrip', spec.price, posting);
      else if (spec.kind === 'code' && target.owner !== caller) this.s.ledger.move(caller, target.owner, 'scrip', spec.price, posting);
      paid = spec.kind !== 'code' || target.owner !== caller ? spec.price : 0;
    }
    this.payContract(cmd, caller, decision);
    if (recordsInvocation(spec)) {
      this.s.stats.record(target.id, caller, true, paid, cmd.now);
      // Credited to whoever answers for the paying account, so an agent's wallets and relays count as the agent.
      if (paid > 0 && spec.kind === 'code') this.s.stats.recordPayer(target.id, this.s.artifacts.makerOf(caller), cmd.now);
      this.s.events.append('invoke_success', cmd.now, { principal: caller, artifact: target.id, commandId: cmd.id }, {
        caller, depth, duration_ms: Math.round(performance.now() - started), ...(this.isPublic(target) ? { method, price_paid: paid } : {}),
      });
    }
    return value;
  }

  /** Asks a contract about a non-invoke action on behalf of a genesis handler, and pays its fee if the caller accepts it. */
  authorize(cmd: Command, caller: string, action: Action, target: ArtifactMeta, maxFee: number): Decision {
    const d = this.guest.decide(cmd, { caller, action, target: toMeta(target) });
    if (!d.allowed) throw denied(action, target, d);
    requireFeeAccepted(target, action, d, maxFee);
    if (d.cost > 0) this.requireFunds(caller, d.cost, `the contract of ${target.id} charges ${d.cost} to ${action} it`);
    this.payContract(cmd, caller, d);
    return d;
  }

  /** Whether the public event log may describe `target` (see EventPayloads). */
  isPublic(target: ArtifactMeta): boolean {
    return target.kind === 'genesis' || isPublicArtifact(target, (id) => this.s.artifacts.meta(id), this.config.contracts.default);
  }

  /** Discovery, decided from what contracts declare: no code runs, so a search costs only the searcher's call. */
  canSee(caller: string, target: ArtifactMeta): boolean {
    return discoverable(caller, target, (id) => this.s.artifacts.meta(id), this.config.contracts.default);
  }

  private resolve(id: unknown): ArtifactMeta {
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalidArgs('The target must be an artifact id (1-64 characters).', {});
    const cached = this.genesisMeta.get(id);
    if (cached) return cached;
    const a = this.s.artifacts.meta(id);
    if (!a) throw notFound('Artifact', id, 'Find executable artifacts with store_search {can_execute: true}.');
    if (a.kind === 'genesis' && this.registry.artifact(id)) this.genesisMeta.set(id, a);
    if (a.deleted_at !== null) throw deletedError(a);
    return a;
  }

  private spec(target: ArtifactMeta, method: unknown, now: number): Spec {
    if (typeof method !== 'string') throw invalidArgs('The method must be a string.', {});
    if (target.kind === 'genesis') {
      const def = this.registry.method(target.id, method);
      if (!def) {
        const names = this.registry.artifact(target.id)?.methods.filter((m) => !m.operatorOnly).map((m) => m.name) ?? [];
        throw notFound('Method', `${target.id}.${method}`, names.length > 0 ? `Available: ${names.join(', ')}.` : `${target.id} has no methods.`, { artifact: target.id, available: names });
      }
      return { kind: 'genesis', def, price: this.config.costs[`${def.artifact}.${def.name}`] ?? 0 };
    }
    if (!target.can_execute || !target.interface) {
      if (target.kind === 'bridge') throw this.bridgeOff(target.id);
      throw invalidArgs(`'${target.id}' is a ${target.kind} artifact and cannot be invoked (can_execute is false). Read it with artifact_read instead.`, { id: target.id });
    }
    const m = target.interface.find((x) => x.name === method);
    if (!m) {
      const names = target.interface.map((x) => x.name);
      throw notFound('Method', `${target.id}.${method}`, `Available: ${names.join(', ')}. See artifact_info for their arguments.`, { artifact: target.id, available: names });
    }
    if (target.kind === 'bridge') return { kind: 'bridge', method: m, price: m.price ?? 0 };
    return { kind: 'code', method: m, price: effectivePrice(target, m, now) };
  }

  /** A bridge registered off (a variable it names is unset, its upstream did not start): why, and what to do. */
  private bridgeOff(id: string): KernelError {
    let reason: unknown = null;
    try {
      reason = (JSON.parse(this.s.artifacts.get(id)?.content ?? '{}') as { off?: unknown }).off ?? null;
    } catch {
      // A bridge's content is the world's own JSON; without it, the reason is unknown.
    }
    // The reason may quote its upstream (a start that failed), so it is data in details, not this message.
    return new KernelError('UPSTREAM_ERROR', `${id} is a bridge that is off, so it cannot be called; details.reason says why. The world's operator turns bridges on (ecology bridge list); meanwhile use another artifact.`, { artifact: id, reason }, { retriable: false });
  }

  private parse(spec: Spec, target: ArtifactMeta, method: string, raw: unknown, depth: number): unknown {
    const args = raw === undefined || raw === null ? {} : raw;
    if (typeof args !== 'object' || Array.isArray(args)) throw invalidArgs(`Arguments to ${target.id}.${method} must be an object of named arguments.`, {});
    // A command's own arguments (and a forward's, a part of them) were checked by the kernel before it
    // hashed them; a nested invoke's come from sandboxed code and are checked here.
    if (depth > 0) requireShallow(args, this.config.limits.max_args_depth);
    const bytes = JSON.stringify(args).length;
    const limit = spec.kind !== 'genesis' ? Math.min(this.config.limits.max_invoke_args_bytes, this.config.limits.max_args_bytes) : this.config.limits.max_args_bytes;
    if (bytes > limit) {
      throw invalidArgs(`Arguments to ${target.id}.${method} are ${bytes} bytes of JSON; the limit is ${limit}. Store large inputs in an artifact and pass its id.`, { bytes, limit });
    }
    if (spec.kind === 'genesis') {
      const r = (spec.def.input as z.ZodObject).safeParse(args);
      if (!r.success) {
        const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw invalidArgs(`Invalid arguments to ${target.id}.${method}: ${issues.join('; ')}. See the method's inputSchema (artifact_info ${target.id}).`, { issues });
      }
      return r.data;
    }
    const errs = schemaErrors(compileSchema(spec.method.inputSchema, `${target.id}.${method} inputSchema`), args);
    if (errs) throw invalidArgs(`Invalid arguments to ${target.id}.${method}: ${errs}. See artifact_info ${target.id} for its inputSchema.`, { errors: errs });
    return args;
  }

  private runGenesis(cmd: Command, caller: string, def: GenesisMethod, args: unknown, depth: number): unknown {
    const ctx: HandlerContext = {
      caller,
      now: cmd.now,
      commandId: cmd.id,
      config: this.config,
      services: this.s,
      authorize: (action, target, maxFee = 0) => this.authorize(cmd, caller, action, target, maxFee),
      canSee: (target) => this.canSee(caller, target),
      isPublic: (target) => this.isPublic(target),
      posting: (cause) => ({ at: cmd.now, commandId: cmd.id, cause }),
      emit: (type, refs, payload) => {
        this.s.events.append(type, cmd.now, { ...refs, commandId: cmd.id }, payload);
      },
      inspectModule: (id, code, repin) => this.guest.inspectModule(cmd, caller, id, code, repin),
      schedule: (id, kind, dueAt, payload) => this.scheduler.schedule(id, kind, dueAt, payload),
      unschedule: (id) => this.scheduler.cancel(id),
      // The per-command counter keeps two ids made in one command apart (list, cancel, list again).
      newId: (prefix, salt) => `${prefix}_${sha256(`${cmd.id}:${salt}:${cmd.idsMade++}`).slice(0, 24)}`,
      invoke: (target, method, args) => this.enter(cmd, def.artifact, target, method, args, depth + 1),
      prepared: depth === 0 ? cmd.prepared : undefined,
    };
    return def.handler(ctx, args as never);
  }

  /**
   * A bridge call, answered from the command's record of outside calls (see outside.ts): the next recorded
   * outcome, which must be for this very call; with none left, the attempt stops so the call can be made
   * outside the transaction. Guest code may catch the stop, but the kernel sees `pendingOutside` anyway.
   * The fee is burned when the call is made (World.outsideCall), so no rollback of this command, or of a
   * savepoint inside it, can make a call that was made free; here the caller only has to hold it.
   */
  private runBridge(cmd: Command, caller: string, target: ArtifactMeta, m: InterfaceMethod, args: Record<string, unknown>, fee: number): unknown {
    const i = cmd.outsideCalls++;
    if (i >= this.config.limits.max_bridge_calls) {
      throw limitExceeded(`This command made more than ${this.config.limits.max_bridge_calls} bridge calls. Split the work across several commands.`, { limit: this.config.limits.max_bridge_calls });
    }
    const rec = cmd.outsideRecord[i];
    if (rec === undefined) {
      if (fee > 0) this.requireFunds(caller, fee, `${target.id}.${m.name} costs ${fee}`);
      // The first call left unanswered is the one made: code that swallowed the stop and went on reaches it first next run.
      cmd.pendingOutside ??= { artifact: target.id, tool: m.name, caller, args, fee };
      throw new BridgeCallNeeded(cmd.pendingOutside, 0);
    }
    if (rec.artifact !== target.id || rec.tool !== m.name || rec.caller !== caller || rec.args_hash !== sha256(canonicalJson(args))) {
      throw new KernelError('EXECUTION_ERROR', `Bridge call ${i + 1} of this command changed between runs (now ${target.id}.${m.name}). Code that calls bridges must make the same calls every time it runs with the same inputs.`, { artifact: target.id, tool: m.name });
    }
    this.s.events.append('bridge_call', cmd.now, { principal: caller, artifact: target.id, commandId: cmd.id }, {
      tool: m.name, caller, duration_ms: Math.round(rec.ms), cpu_ms: Math.round(rec.cpu_ms), outcome: rec.error ? rec.error.code : 'ok',
    });
    if (rec.error) throw new KernelError(rec.error.code, rec.error.message, rec.error.details ?? {}, rec.error.retry_after_ms === undefined ? {} : { retryAfterMs: rec.error.retry_after_ms });
    return { untrusted: true, source: `${target.id}.${m.name}`, content: rec.content ?? [], ...(rec.structured === undefined ? {} : { structured: rec.structured }) };
  }

  /** Moves an attached payment to the target's own account; a failed call rolls it back with the rest. */
  private attach(cmd: Command, caller: string, target: ArtifactMeta, method: string, pay: number): void {
    if (!Number.isSafeInteger(pay) || pay < 0) throw invalidArgs('pay must be a whole number of scrip, at least 0.', { pay });
    if (!target.has_standing) {
      throw invalidArgs(`'${target.id}' has no ledger account, so it cannot receive an attached payment. Call it without pay, or pay its owner with ledger_transfer.`, { id: target.id });
    }
    if (target.id === caller) throw invalidArgs('An artifact cannot attach a payment to a call to itself.', { id: target.id });
    // The world's own accounts (the mint's custody, the burn) hold exactly what their rules put there.
    if (target.kind === 'genesis') throw invalidArgs(`'${target.id}' is one of the world's own accounts and takes no attached payments. Call it without pay.`, { id: target.id });
    this.s.ledger.move(caller, target.id, 'scrip', pay, { at: cmd.now, commandId: cmd.id, cause: `pay:${target.id}.${method}` });
  }

  private runCode(cmd: Command, caller: string, target: ArtifactMeta, m: InterfaceMethod, args: unknown, depth: number, pay: number): unknown {
    const value = this.guest.runMethod(cmd, caller, target, m.name, args, depth, pay);
    if (m.outputSchema) {
      const errs = schemaErrors(compileSchema(m.outputSchema, `${target.id}.${m.name} outputSchema`), value);
      if (errs) throw new KernelError('EXECUTION_ERROR', `${target.id}.${m.name} returned a value that does not match its outputSchema: ${errs}. The artifact's owner should fix its code or schema.`, { artifact: target.id, errors: errs });
    }
    return value;
  }

  private requireFunds(payer: string, amount: number, what: string): void {
    const have = this.s.ledger.balance(payer, 'scrip');
    if (have >= amount) return;
    const standing = this.s.artifacts.isPrincipal(payer);
    throw new KernelError(
      'INSUFFICIENT_FUNDS',
      standing
        ? `${what}, but ${payer} has ${have} scrip. Earn or receive scrip first.`
        : `${what}, but ${payer} has no ledger account (it is an artifact without standing) and cannot pay.`,
      { principal: payer, need: amount, have },
    );
  }

  private payContract(cmd: Command, caller: string, d: Decision): void {
    if (d.cost === 0) return;
    const owner = this.s.artifacts.meta(d.contract)?.owner;
    if (!owner || owner === caller) return;
    this.s.ledger.move(caller, owner, 'scrip', d.cost, { at: cmd.now, commandId: cmd.id, cause: `contract:${d.contract}` });
  }
}

/**
 * Invocations go into the invocation registry and the event log, except reads of genesis services:
 * those change nothing and would drown the log (the command log still records every command).
 */
function recordsInvocation(spec: Spec): boolean {
  return spec.kind !== 'genesis' || (spec.def.recordsInvocation ?? !spec.def.annotations.readOnlyHint);
}

/**
 * A caller pays only fees it accepted: a contract asking more than the call's max_fee is refused before
 * anything moves, with the fee and how to accept it.
 */
function requireFeeAccepted(target: ArtifactMeta, action: Action, d: Decision, maxFee: number): void {
  if (d.cost <= maxFee) return;
  throw new KernelError(
    'CONFLICT',
    `The contract of '${target.id}' (${d.contract}) charges a fee of ${d.cost} scrip to ${action} it, more than your max_fee of ${maxFee}. Its terms (artifact_info) show what it may charge; call again with max_fee: ${d.cost} to accept this fee.`,
    { artifact: target.id, contract: d.contract, action, fee: d.cost, max_fee: maxFee },
  );
}

function denied(action: Action, target: ArtifactMeta, d: Decision): KernelError {
  return accessDenied(`You may not ${action} '${target.id}': ${d.reason}. Ask its owner (${target.owner}), or use an artifact whose contract allows you.`, {
    action,
    artifact: target.id,
    contract: d.contract,
    reason: d.reason,
  });
}

/** Refuses arguments nested deeper than the limit, before anything recurses into them. */
export function requireShallow(args: unknown, maxDepth: number): void {
  if (nestsDeeperThan(args, maxDepth)) {
    throw invalidArgs(`Arguments nest objects or arrays more than ${maxDepth} levels deep (limits.max_args_depth). Flatten them, or store deep data in an artifact and pass its id.`, { limit: maxDepth });
  }
}
