/**
 * The sandbox worker: runs guest code in QuickJS and nothing else. It holds no database handle;
 * everything a guest asks of the world is a synchronous call to the host over the shared channel.
 * One QuickJS runtime per session (a top-level run and the frames nested in it), one fresh context
 * per frame, so no guest state survives a frame or leaks into another artifact's run.
 */
import { workerData } from 'node:worker_threads';
import { DefaultIntrinsics, newQuickJSWASMModuleFromVariant, Scope, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { Channel, MessageTooLarge, type ChannelBuffers } from './channel.ts';
import { seededRandom } from './random.ts';
import { SharedStopwatch } from './stopwatch.ts';
import { CTL, WORKER_STATE, type Frame, type FrameOutcome, type GuestError, type RpcRequest, type SessionLimits, type ToHost, type ToWorker } from './protocol.ts';

const { buffers, spinUs, stopwatchBuffer } = workerData as { buffers: ChannelBuffers; spinUs: number; stopwatchBuffer: SharedArrayBuffer };
const channel = new Channel(buffers, spinUs);
/** The host reads this to kill a guest stuck in a native operation the interrupt handler cannot stop. */
const stopwatch = new SharedStopwatch(stopwatchBuffer);
const idleChannel = new Channel(buffers, 0);
// The package's default export is the variant object; its ESM typings describe the module namespace.
const qjs = await newQuickJSWASMModuleFromVariant(releaseSync as unknown as Parameters<typeof newQuickJSWASMModuleFromVariant>[0]);

interface FrameState {
  frame: Frame;
  startMs: number;
  logs: string[];
  logBytes: number;
  logsTruncated: boolean;
  live: boolean;
}

interface Session {
  rt: QuickJSRuntime;
  limits: SessionLimits;
  stack: FrameState[];
  guestMs: number;
  runningSince: number | null;
  /** Why the interrupt handler fired, for an accurate error message. */
  interruptedBy: 'session' | 'frame' | null;
  /** A pre-built context, globals installed, for the session's first frame. */
  first: Prepared | null;
}

/**
 * A context with the globals that do not depend on the frame already installed. They reach the frame
 * through `bound`, set when a frame starts; a context only ever runs one frame.
 */
interface Prepared {
  g: Guest;
  bound: { s: Session | null; fs: FrameState | null; random: () => number };
  scope: Scope;
  /** Serves a guest's call to the world through the host, for the bound frame only. */
  host: (req: (fs: FrameState) => RpcRequest) => QuickJSHandle | { error: QuickJSHandle };
}

let session: Session | null = null;

/**
 * QuickJS reads the time through emscripten, which calls this thread's Date.now(). Pointing it at
 * world time while a frame runs makes Date.now(), new Date() and Date() in the guest virtual at no
 * per-frame cost. The worker itself measures time only with performance.now().
 */
const machineNow = Date.now;
let worldNow: number | null = null;
Date.now = () => worldNow ?? machineNow();
let hostSeq = channel.seq(CTL.TO_WORKER);

// ---- stopwatch: guest CPU time excludes time spent blocked on the host --------------------------

function resume(s: Session): void {
  if (s.runningSince === null) {
    s.runningSince = performance.now();
    stopwatch.running(s.guestMs);
  }
}
function pause(s: Session): void {
  if (s.runningSince !== null) {
    s.guestMs += performance.now() - s.runningSince;
    s.runningSince = null;
    stopwatch.stopped(s.guestMs);
  }
}
function elapsed(s: Session): number {
  return s.guestMs + (s.runningSince === null ? 0 : performance.now() - s.runningSince);
}

// ---- messaging ----------------------------------------------------------------------------------

function send(m: ToHost): void {
  try {
    channel.send(CTL.TO_HOST, m);
  } catch (err) {
    if (!(err instanceof MessageTooLarge) || m.t !== 'done') throw err;
    channel.send(CTL.TO_HOST, { ...m, ok: false, error: limitError(`The result is too large for the sandbox channel (${err.limit} bytes).`), logs: [] });
  }
}

/** Inside a call the host answers within microseconds, so spin; idle between sessions, just sleep. */
function receive(spin = true): ToWorker {
  const m = (spin ? channel : idleChannel).receive<ToWorker>(CTL.TO_WORKER, hostSeq)!;
  hostSeq = channel.seq(CTL.TO_WORKER);
  return m;
}

/** Serves host requests until the host replies to our call; nested runs arrive here. */
function rpc(s: Session, req: RpcRequest): { ok: true; value: string } | { ok: false; error: GuestError } {
  pause(s);
  send({ t: 'rpc', ...req });
  for (;;) {
    const m = receive();
    if (m.t === 'reply') {
      resume(s);
      return m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error };
    }
    handle(m);
  }
}

/** Finished sessions whose runtimes still await tear-down (bounded; see `afterSession`). */
const retired: Session[] = [];

function handle(m: ToWorker): void {
  if (m.t === 'run') {
    send(runFrame(m.frame, m.session));
    if (m.session !== undefined && session) afterSession(session);
  } else send({ t: 'done', frame: -1, ok: false, error: internalError('unexpected reply with no call pending'), logs: [], cpuMs: 0 });
}

/**
 * Runs after the host has its answer, in time the host spends committing. Building the next runtime
 * comes first (a command needs it); tearing down the old one waits if the host already sent more work.
 */
function afterSession(s: Session): void {
  session = null;
  retired.push(s);
  prepareWarm();
  while (retired.length > 0 && (retired.length > 2 || channel.seq(CTL.TO_WORKER) === hostSeq)) closeSession(retired.shift()!);
}

// ---- sessions and frames ------------------------------------------------------------------------

/**
 * The next session's runtime and first context, built while the worker is idle so that creating
 * them (~250 µs) is off the command's critical path. Never used before, so still fresh per command.
 */
let warm: { rt: QuickJSRuntime; first: Prepared } | null = null;

/**
 * Guests get the standard language minus typed arrays: that family brings SharedArrayBuffer and
 * Atomics (whose wait blocks past the interrupt handler), and is ~40% of what a context costs to build.
 */
const GUEST_CONTEXT = { intrinsics: { ...DefaultIntrinsics, TypedArrays: false } };

function prepareWarm(): void {
  if (warm) return;
  const rt = qjs.newRuntime();
  warm = { rt, first: prepareContext(rt.newContext(GUEST_CONTEXT)) };
}

function openSession(limits: SessionLimits): Session {
  const rt = warm?.rt ?? qjs.newRuntime();
  const first = warm?.first ?? null;
  warm = null;
  rt.setMemoryLimit(limits.memoryBytes);
  rt.setMaxStackSize(limits.stackBytes);
  const s: Session = { rt, limits, stack: [], guestMs: 0, runningSince: null, interruptedBy: null, first };
  rt.setInterruptHandler(() => {
    const t = elapsed(s);
    if (t > s.limits.cpuMs) {
      s.interruptedBy = 'session';
      return true;
    }
    const top = s.stack[s.stack.length - 1];
    if (top && t - top.startMs > top.frame.cpuMs) {
      s.interruptedBy = 'frame';
      return true;
    }
    return false;
  });
  // The host names each import (a pinned library version, `lib@3`) and serves its code; the worker
  // knows no library on its own.
  const ask = (req: (frame: number) => RpcRequest, what: string): { value: string } | { error: Error } => {
    const top = s.stack[s.stack.length - 1];
    if (!top) return { error: new Error('no frame is running') };
    const r = rpc(s, req(top.frame.id));
    if (!r.ok) return { error: new Error(`import '${what}' failed: ${r.error.message}`) };
    return { value: JSON.parse(r.value) as string };
  };
  // A failed resolution would reach the loader as an empty name and lose its reason, so it travels as
  // the module name itself (no library id contains '!'), and the loader fails with it.
  const FAILED = '!';
  rt.setModuleLoader(
    (name) => (name.startsWith(FAILED) ? { error: new Error(name.slice(FAILED.length)) } : ask((frame) => ({ op: 'import', frame, name }), name)),
    (base, name) => {
      const r = ask((frame) => ({ op: 'resolve', frame, base, name }), name);
      return 'error' in r ? `${FAILED}${r.error.message}` : r.value;
    },
  );
  return s;
}

function closeSession(s: Session): void {
  try {
    if (s.first) disposePrepared(s.first);
    s.rt.dispose();
  } catch {
    // A leaked handle or a WASM abort: this module instance can no longer be trusted.
    Atomics.store(channel.ctl, CTL.STATE, WORKER_STATE.POISONED);
  }
}

function runFrame(frame: Frame, limits: SessionLimits | undefined): ToHost {
  const top = limits !== undefined;
  if (top && session) return done(frame, { ok: false, error: internalError('a session is already open') }, [], 0);
  if (!top && !session) return done(frame, { ok: false, error: internalError('nested run with no open session') }, [], 0);
  const s = top ? (session = openSession(limits)) : session!;
  worldNow = frame.now;
  resume(s);
  const fs: FrameState = { frame, startMs: elapsed(s), logs: [], logBytes: 0, logsTruncated: false, live: true };
  s.stack.push(fs);
  let outcome: FrameOutcome;
  try {
    outcome = execute(s, fs);
  } catch (err) {
    outcome = { ok: false, error: internalError(err instanceof Error ? err.message : String(err)) };
    if (/abort|unreachable|RuntimeError/i.test(String(err))) Atomics.store(channel.ctl, CTL.STATE, WORKER_STATE.POISONED);
  } finally {
    fs.live = false;
    s.stack.pop();
    if (!top) pause(s);
  }
  if (fs.logsTruncated) fs.logs.push(`[console output truncated at ${s.limits.maxLogBytes} bytes]`);
  if (!top) return done(frame, outcome, fs.logs, 0);
  worldNow = null;
  pause(s);
  return done(frame, outcome, fs.logs, s.guestMs);
}

function done(frame: Frame, outcome: FrameOutcome, logs: string[], cpuMs: number): ToHost {
  return { t: 'done', frame: frame.id, logs, cpuMs, ...outcome };
}

function execute(s: Session, fs: FrameState): FrameOutcome {
  const { frame } = fs;
  const prepared = s.first ?? prepareContext(s.rt.newContext(GUEST_CONTEXT));
  s.first = null;
  const { g, scope } = prepared;
  const { ctx } = g;
  try {
    bindFrame(prepared, s, fs);
    const fail = (h: QuickJSHandle): FrameOutcome => ({ ok: false, error: guestError(g, s, fs, h) });

    const modResult = ctx.evalCode(frame.code, `${frame.artifact}.js`, { type: 'module', strict: true });
    if (modResult.error) return fail(scope.manage(modResult.error));
    const ns = settle(ctx, s, scope.manage(modResult.value), scope);
    if ('error' in ns) return fail(ns.error);

    if (frame.kind === 'module') return moduleReport(g, ns.value, scope);

    const fn = scope.manage(ctx.getProp(ns.value, frame.entry));
    if (ctx.typeof(fn) !== 'function') {
      return {
        ok: false,
        error: { code: 'EXECUTION_ERROR', message: `The code of '${frame.artifact}' does not export a function named '${frame.entry}'. Export one function per interface method: export function ${frame.entry}(args, ctx) { … }.`, details: { artifact: frame.artifact, export: frame.entry } },
      };
    }
    const args = fromJson(g, frame.args, scope);
    if ('error' in args) return fail(args.error);
    const guestCtx = scope.manage(ctx.newObject());
    ctx.setProp(guestCtx, 'caller', scope.manage(ctx.newString(frame.caller)));
    ctx.setProp(guestCtx, 'self', scope.manage(ctx.newString(frame.artifact)));
    ctx.setProp(guestCtx, 'now', scope.manage(ctx.newNumber(frame.now)));
    ctx.setProp(guestCtx, 'paid', scope.manage(ctx.newNumber(frame.paid)));

    const callR = ctx.callFunction(fn, ctx.undefined, args.value, guestCtx);
    if (callR.error) return fail(scope.manage(callR.error));
    const value = settle(ctx, s, scope.manage(callR.value), scope);
    if ('error' in value) return fail(value.error);

    const text = toJson(g, value.value, s.limits.maxOutputBytes);
    if (text.ok) return { ok: true, value: text.value };
    if (text.tooLarge) return { ok: false, error: limitError(`The return value exceeds ${s.limits.maxOutputBytes} bytes of JSON. Return less data, or store it in an artifact and return its id.`) };
    const e = fail(scope.manage(text.error));
    if (!e.ok && e.error.code === 'EXECUTION_ERROR') e.error.message = `The return value of '${frame.artifact}' could not be serialised to JSON (${e.error.message}). Return plain data without cycles, functions or BigInts.`;
    return e;
  } finally {
    disposePrepared(prepared);
  }
}

function disposePrepared(p: Prepared): void {
  p.bound.s = null;
  p.bound.fs = null;
  p.scope.dispose();
  p.g.ctx.dispose();
}

/** Largest JSON text of a contract's declared `terms` (a few fees and flags). */
const MAX_TERMS_BYTES = 4_096;

/**
 * What a write needs to know of a module: its exports and their types (to check them against the
 * interface), and the JSON of an exported `terms` object (a contract's declared fees and listing).
 */
function moduleReport(g: Guest, ns: QuickJSHandle, scope: Scope): FrameOutcome {
  const exports = exportsOf(g.ctx, ns);
  if (exports.terms !== 'object') return { ok: true, value: JSON.stringify({ exports }) };
  const terms = toJson(g, scope.manage(g.ctx.getProp(ns, 'terms')), MAX_TERMS_BYTES);
  if (!terms.ok) {
    if (!terms.tooLarge) scope.manage(terms.error);
    return { ok: false, error: { code: 'INVALID_ARGS', message: `The exported terms must be plain JSON of at most ${MAX_TERMS_BYTES} bytes.`, details: {} } };
  }
  return { ok: true, value: `{"exports":${JSON.stringify(exports)},"terms":${terms.value}}` };
}

/** The module's exports and their types, for checking an interface against the code at write time. */
function exportsOf(ctx: QuickJSContext, ns: QuickJSHandle): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = ctx.getOwnPropertyNames(ns, { strings: true });
  if (keys.error) {
    keys.error.dispose();
    return out;
  }
  try {
    for (const k of keys.value) {
      const name = ctx.getString(k);
      const v = ctx.getProp(ns, name);
      out[name] = ctx.typeof(v);
      v.dispose();
    }
  } finally {
    keys.value.dispose();
  }
  return out;
}

interface Guest {
  ctx: QuickJSContext;
  parse: QuickJSHandle;
  stringify: QuickJSHandle;
}

function fromJson(g: Guest, text: string, scope: Scope): { value: QuickJSHandle } | { error: QuickJSHandle } {
  const t = scope.manage(g.ctx.newString(text));
  const r = g.ctx.callFunction(g.parse, g.ctx.undefined, t);
  return r.error ? { error: scope.manage(r.error) } : { value: scope.manage(r.value) };
}

/** JSON text of a guest value (undefined becomes null), refusing output longer than `max`. */
function toJson(g: Guest, h: QuickJSHandle, max: number): { ok: true; value: string } | { ok: false; tooLarge: true } | { ok: false; tooLarge: false; error: QuickJSHandle } {
  if (g.ctx.typeof(h) === 'undefined') return { ok: true, value: 'null' };
  const r = g.ctx.callFunction(g.stringify, g.ctx.undefined, h);
  if (r.error) return { ok: false, tooLarge: false, error: r.error };
  try {
    if (g.ctx.typeof(r.value) === 'undefined') return { ok: true, value: 'null' };
    const text = readString(g.ctx, r.value, max);
    return text === null ? { ok: false, tooLarge: true } : { ok: true, value: text };
  } finally {
    r.value.dispose();
  }
}

/** Resolves a possibly-promised value by running pending jobs; a promise nothing can settle is an error. */
function settle(ctx: QuickJSContext, s: Session, h: QuickJSHandle, scope: Scope): { value: QuickJSHandle } | { error: QuickJSHandle } {
  for (;;) {
    const state = ctx.getPromiseState(h);
    if (state.type === 'fulfilled') {
      if (state.notAPromise) return { value: h };
      return { value: scope.manage(state.value) };
    }
    if (state.type === 'rejected') return { error: scope.manage(state.error) };
    const ran = s.rt.executePendingJobs();
    if (ran.error) return { error: scope.manage(ran.error) };
    if (ran.value === 0) {
      return {
        error: scope.manage(ctx.newError({ name: 'PendingForever', message: 'The returned promise can never settle: the sandbox has no timers or I/O. Await only invoke() results or already-resolved values.' })),
      };
    }
  }
}

type HostImpl = (...args: QuickJSHandle[]) => QuickJSHandle | { error: QuickJSHandle } | void;

/** A global the guest can neither reassign nor redefine. */
function defineConstant(ctx: QuickJSContext): (name: string, value: QuickJSHandle) => void {
  return (name, value) => ctx.defineProp(ctx.global, name, { value, configurable: false, enumerable: false });
}

/** A host function whose handle lives as long as `scope`. */
function hostFunction(ctx: QuickJSContext, scope: Scope): (name: string, impl: HostImpl) => QuickJSHandle {
  return (name, impl) => scope.manage(ctx.newFunction(name, impl));
}

/**
 * Installs the globals every frame gets, before any frame (or guest code) exists: built while the
 * worker is idle, they cost a command nothing. All are host functions except the Date wrapper.
 */
function prepareContext(ctx: QuickJSContext): Prepared {
  const scope = new Scope();
  const constant = defineConstant(ctx);
  const fn = hostFunction(ctx, scope);
  // Taken before any guest code runs, so the guest cannot replace them.
  const json = scope.manage(ctx.getProp(ctx.global, 'JSON'));
  const g: Guest = { ctx, parse: scope.manage(ctx.getProp(json, 'parse')), stringify: scope.manage(ctx.getProp(json, 'stringify')) };
  const bound: Prepared['bound'] = { s: null, fs: null, random: () => 0 };
  const unbound = () => ({ error: invokeError(g, { code: 'ACCESS_DENIED', message: 'No method of this artifact is running. Call world functions only while your own method runs.', details: {} }) });
  const host: Prepared['host'] = (req) => {
    const { s, fs } = bound;
    if (!s || !fs || !fs.live || s.stack[s.stack.length - 1] !== fs) {
      return { error: invokeError(g, { code: 'ACCESS_DENIED', message: 'This call came from code that is not the running frame (for example a leftover promise job). Call invoke() only while your own method runs.', details: {} }) };
    }
    const r = rpc(s, req(fs));
    if (!r.ok) return { error: invokeError(g, r.error) };
    const text = g.ctx.newString(r.value);
    try {
      const parsed = g.ctx.callFunction(g.parse, g.ctx.undefined, text);
      return parsed.error ? { error: parsed.error } : parsed.value;
    } finally {
      text.dispose();
    }
  };

  // Methods call the world with invoke(); other frames have it removed when they start (and the host
  // refuses their invokes regardless).
  ctx.defineProp(ctx.global, 'invoke', {
    configurable: true,
    enumerable: false,
    value: fn('invoke', (t, m, a, o) => {
      const s = bound.s;
      if (!s) return unbound();
      const target = t ? readString(ctx, t, 256) : null;
      const method = m ? readString(ctx, m, 256) : null;
      if (!target || !method) return { error: invokeError(g, { code: 'INVALID_ARGS', message: 'invoke(id, method, args) needs an artifact id and a method name as strings.', details: {} }) };
      const opts = o === undefined ? { pay: 0, maxFee: 0 } : callOptionsOf(ctx, o);
      if (opts === null) return { error: invokeError(g, { code: 'INVALID_ARGS', message: 'invoke(id, method, args, { pay, max_fee, max_price }) needs each option to be a whole number of scrip.', details: {} }) };
      const args = a === undefined ? { ok: true as const, value: '{}' } : toJson(g, a, s.limits.maxOutputBytes);
      if (!args.ok) {
        if (!args.tooLarge) return { error: args.error };
        return { error: invokeError(g, limitError(`invoke() arguments exceed ${s.limits.maxOutputBytes} bytes of JSON.`)) };
      }
      return host((fs) => ({ op: 'invoke', frame: fs.frame.id, target, method, args: args.value, ...opts }));
    }),
  });

  // Date.now already reads world time (see worldNow), so it serves as world.now without another host function.
  const world = scope.manage(ctx.newObject());
  const date = scope.manage(ctx.getProp(ctx.global, 'Date'));
  ctx.setProp(world, 'now', scope.manage(ctx.getProp(date, 'now')));
  constant('world', world);

  const math = scope.manage(ctx.getProp(ctx.global, 'Math'));
  ctx.setProp(math, 'random', fn('random', () => ctx.newNumber(bound.random())));

  // fail(code, message): lets code answer with the same stable error codes as the world.
  constant(
    'fail',
    fn('fail', (c, m) => {
      if (!bound.fs) return unbound();
      const code = c ? readString(ctx, c, 64) : null;
      const message = (m ? readString(ctx, m, 2_000) : null) ?? 'failed';
      return { error: invokeError(g, { code: code && KNOWN_CODES.has(code) ? code : 'EXECUTION_ERROR', message, details: { artifact: bound.fs.frame.artifact } }) };
    }),
  );

  // One host function serves every console level.
  const console = scope.manage(ctx.newObject());
  const log = fn('log', (...args) => (bound.s && bound.fs ? appendLog(g, bound.s, bound.fs, args) : undefined));
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) ctx.setProp(console, level, log);
  ctx.setProp(ctx.global, 'console', console);
  return { g, bound, scope, host };
}

/** Binds the prepared globals to the frame, and installs what depends on it: who calls, and how it reaches the world. */
function bindFrame(p: Prepared, s: Session, fs: FrameState): void {
  const { g, scope } = p;
  const { ctx } = g;
  const { frame } = fs;
  p.bound.s = s;
  p.bound.fs = fs;
  p.bound.random = seededRandom(frame.seed);
  const constant = defineConstant(ctx);
  const fn = hostFunction(ctx, scope);

  if (frame.kind !== 'method') {
    constant('invoke', ctx.undefined);
    const view = scope.manage(ctx.newObject());
    const viewFn = (name: string) =>
      fn(name, (...params) => {
        const texts = params.slice(0, 2).map((x) => (ctx.typeof(x) === 'string' ? readString(ctx, x, 256) : null));
        return p.host((f) => ({ op: 'view', frame: f.frame.id, fn: name, params: JSON.stringify(texts) }));
      });
    ctx.setProp(view, 'balance', viewFn('balance'));
    ctx.setProp(view, 'artifact', viewFn('artifact'));
    constant('view', view);
  }

  // Informational: whatever the guest does to these, the host binds who makes each call.
  constant('caller', scope.manage(ctx.newString(frame.caller)));
  constant('self', scope.manage(ctx.newString(frame.artifact)));
}

function appendLog(g: Guest, s: Session, fs: FrameState, args: QuickJSHandle[]): void {
  if (fs.logsTruncated) return;
  const parts: string[] = [];
  let room = s.limits.maxLogBytes - fs.logBytes;
  for (const a of args) {
    let text: string | null;
    if (g.ctx.typeof(a) === 'string') text = readString(g.ctx, a, Math.max(0, room));
    else {
      const j = toJson(g, a, Math.max(0, room));
      if (j.ok) text = j.value;
      else {
        if (!j.tooLarge) j.error.dispose();
        text = j.tooLarge ? null : `[${g.ctx.typeof(a)}]`;
      }
    }
    if (text === null) {
      fs.logsTruncated = true;
      return;
    }
    parts.push(text);
    room -= text.length + 1;
  }
  const line = parts.join(' ');
  fs.logs.push(line);
  fs.logBytes += line.length;
}

/** An Error for the guest carrying a stable code, like the host's KernelError. */
function invokeError(g: Guest, e: GuestError): QuickJSHandle {
  const { ctx } = g;
  const h = ctx.newError({ name: 'InvokeError', message: e.message });
  const scope = new Scope();
  try {
    ctx.setProp(h, 'code', scope.manage(ctx.newString(e.code)));
    ctx.setProp(h, 'retriable', e.retriable ? ctx.true : ctx.false);
    if (e.retry_after_ms !== undefined) ctx.setProp(h, 'retry_after_ms', scope.manage(ctx.newNumber(e.retry_after_ms)));
    const details = ctx.callFunction(g.parse, ctx.undefined, scope.manage(ctx.newString(JSON.stringify(e.details ?? {}))));
    if (details.error) details.error.dispose();
    else ctx.setProp(h, 'details', scope.manage(details.value));
  } finally {
    scope.dispose();
  }
  return h;
}

/**
 * The options of invoke(id, method, args, { pay, max_fee, max_price }): each a safe non-negative integer
 * (pay and max_fee 0 if absent, max_price unset), or null if any is invalid.
 */
function callOptionsOf(ctx: QuickJSContext, opts: QuickJSHandle): { pay: number; maxFee: number; maxPrice?: number } | null {
  if (ctx.typeof(opts) === 'undefined') return { pay: 0, maxFee: 0 };
  if (ctx.typeof(opts) !== 'object') return null;
  const pay = wholeProp(ctx, opts, 'pay');
  const maxFee = wholeProp(ctx, opts, 'max_fee');
  const maxPrice = wholeProp(ctx, opts, 'max_price');
  if (pay === null || maxFee === null || maxPrice === null) return null;
  return { pay: pay ?? 0, maxFee: maxFee ?? 0, ...(maxPrice === undefined ? {} : { maxPrice }) };
}

/** A whole-number option: undefined if absent, null if not a safe non-negative integer. */
function wholeProp(ctx: QuickJSContext, obj: QuickJSHandle, key: string): number | null | undefined {
  const p = ctx.getProp(obj, key);
  try {
    if (ctx.typeof(p) === 'undefined') return undefined;
    if (ctx.typeof(p) !== 'number') return null;
    const n = ctx.getNumber(p);
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  } finally {
    p.dispose();
  }
}

/** Reads a guest string, or null if it is longer than `max` UTF-16 units (checked before copying). */
function readString(ctx: QuickJSContext, h: QuickJSHandle, max: number): string | null {
  if (ctx.typeof(h) !== 'string') return null;
  const lenH = ctx.getProp(h, 'length');
  const len = ctx.getNumber(lenH);
  lenH.dispose();
  if (len > max) return null;
  return ctx.getString(h);
}

/** A property of a thrown value as a short string; guest getters run under the same CPU deadline. */
function readProp(ctx: QuickJSContext, h: QuickJSHandle, key: string, max: number): string | undefined {
  try {
    const p = ctx.getProp(h, key);
    try {
      const t = ctx.typeof(p);
      if (t === 'string') return readString(ctx, p, max) ?? '(too long)';
      if (t === 'number' || t === 'boolean') return String(ctx.dump(p));
      return undefined;
    } finally {
      p.dispose();
    }
  } catch {
    return undefined;
  }
}

const KNOWN_CODES = new Set(['NOT_FOUND', 'ACCESS_DENIED', 'INSUFFICIENT_FUNDS', 'RATE_LIMITED', 'INVALID_ARGS', 'EXECUTION_ERROR', 'TIMEOUT', 'DELETED', 'QUOTA_EXCEEDED', 'IDEMPOTENCY_CONFLICT', 'LIMIT_EXCEEDED', 'CONFLICT']);

function guestError(g: Guest, s: Session, fs: FrameState, h: QuickJSHandle): GuestError {
  const { ctx } = g;
  const { frame } = fs;
  if (s.interruptedBy !== null) {
    const by = s.interruptedBy;
    if (by === 'frame') s.interruptedBy = null;
    const budget = by === 'session' ? s.limits.cpuMs : frame.cpuMs;
    return { code: 'TIMEOUT', message: `'${frame.artifact}' ran out of its CPU budget (${budget} ms). Make the code do less work per call.`, details: { artifact: frame.artifact, cpu_ms: budget }, retriable: false };
  }
  const isObject = ctx.typeof(h) === 'object';
  const name = (isObject && readProp(ctx, h, 'name', 100)) || 'Thrown';
  let message = isObject ? readProp(ctx, h, 'message', 2000) : undefined;
  if (message === undefined) {
    const j = toJson(g, h, 2000);
    message = j.ok ? j.value : '(an unprintable value was thrown)';
    if (!j.ok && !j.tooLarge) j.error.dispose();
  }
  if (/out of memory/i.test(message)) {
    return limitError(`'${frame.artifact}' exceeded the sandbox memory limit (${s.limits.memoryBytes} bytes). Use less memory per call.`);
  }
  const code = isObject ? readProp(ctx, h, 'code', 64) : undefined;
  if (name === 'InvokeError' && code && KNOWN_CODES.has(code)) {
    // A coded error: a nested call's that the code let through, or one it raised with fail().
    return { code, message, details: { artifact: frame.artifact } };
  }
  const where = frame.kind === 'contract' ? 'contract' : 'code';
  return { code: 'EXECUTION_ERROR', message: `The ${where} of '${frame.artifact}' threw ${name}: ${message}`, details: { artifact: frame.artifact, name } };
}

function limitError(message: string): GuestError {
  return { code: 'LIMIT_EXCEEDED', message, details: {} };
}

function internalError(message: string): GuestError {
  return { code: 'INTERNAL', message: `Sandbox failure: ${message}`, details: {} };
}

// ---- main loop ----------------------------------------------------------------------------------

prepareWarm();
Atomics.store(channel.ctl, CTL.STATE, WORKER_STATE.READY);
Atomics.notify(channel.ctl, CTL.STATE);
for (;;) handle(receive(false));
