import { Worker } from 'node:worker_threads';
import { Channel, type ChannelBuffers } from './channel.ts';
import { SharedStopwatch } from './stopwatch.ts';
import { CTL, WORKER_STATE, type Frame, type FrameOutcome, type GuestError, type RpcRequest, type SessionLimits, type ToHost, type ToWorker } from './protocol.ts';

export interface SandboxOptions {
  messageBytes: number;
  spinUs: number;
  workerStartMs: number;
  /**
   * Workers to rotate between: each tears down and pre-builds its runtime while the others serve. Two
   * more are kept beyond these, so killed workers' successors can boot while the spares serve.
   */
  workers: number;
}

/** What a top-level run needs: the session's limits and when its worker is killed. */
export interface SessionOptions {
  limits: SessionLimits;
  /**
   * Guest run time past `limits.cpuMs` after which the worker is killed. Run time is the session's wall
   * time minus the time the host spends serving the guest's calls (nested invokes, database work) and
   * any time before the worker picks the run up, so a command that makes many calls is never killed
   * for the host's share, nor for a busy machine's.
   */
  killGraceMs: number;
  /** Wall-clock backstop for the whole session, host work included. */
  hardKillMs: number;
  /** With false, a run that finds no worker ready throws SandboxUnavailable instead of waiting for one to boot. */
  waitForWorker?: boolean;
}

/** Serves one guest request synchronously. Throwing SandboxAborted unwinds the whole session. */
export type RpcHandler = (req: RpcRequest) => { ok: true; value: string } | { ok: false; error: GuestError };

export interface FrameResult {
  outcome: FrameOutcome;
  logs: string[];
  /** Guest CPU time of the whole session; only set on the frame that opened it. */
  cpuMs: number;
}

/**
 * The session died: killed past its CPU budget and grace ('cpu'), past the wall-clock backstop
 * ('wall'), or its worker crashed. Nothing can continue it; the command must fail.
 */
export class SandboxAborted extends Error {
  constructor(
    readonly reason: 'cpu' | 'wall' | 'crashed',
    /** Guest run time the session used before it died, at most its budget plus the grace: what its command is charged. */
    readonly guestMs: number,
    detail?: string,
  ) {
    super(detail ?? (reason === 'crashed' ? 'sandbox worker crashed' : `sandbox killed after ${Math.round(guestMs)} ms of guest time`));
  }
}

/** No worker was ready and the caller asked not to wait for one. Nothing ran. */
export class SandboxUnavailable extends Error {
  constructor() {
    super('no sandbox worker is ready');
  }
}

// Run from the sources (tests, ECOLOGY_DEV) the worker is TypeScript; from the build, JavaScript.
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href;
const BOOT = new URL('./worker-boot.mjs', import.meta.url);

interface WorkerSlot {
  worker: Worker;
  channel: Channel;
  /** The worker's stopwatch of guest run time, for the kill decision. */
  stopwatch: SharedStopwatch;
  seenFromWorker: number;
}

interface Session {
  slot: WorkerSlot;
  /** performance.now() past which the worker is killed whatever it is doing. */
  wallDeadline: number;
  /** Guest run time after which the worker is killed: the CPU budget plus the grace. */
  guestLimitMs: number;
  aborted: SandboxAborted | null;
}

/** Workers kept beyond `SandboxOptions.workers`, so kills in a row (a boot takes 45-175 ms) never leave the next command waiting for one. */
const SPARE_WORKERS = 2;

/**
 * Host side of the sandbox. Runs are synchronous: the host thread blocks (spinning, then in
 * Atomics.wait) until the worker answers, serving the guest's calls in between. The database and its
 * open transaction never leave this thread. A session whose guest time passes its CPU budget plus a
 * grace (a native operation the interrupt handler cannot stop) gets its worker terminated; a fresh
 * worker starts at once in that slot, while the spare serves the next command.
 */
export class Sandbox {
  private static readonly pool = new Map<string, Sandbox>();

  /**
   * One sandbox per process and option set, shared by every world the process opens: workers hold
   * no state between sessions, and commands are synchronous, so worlds never interleave in them.
   */
  static shared(opts: SandboxOptions): Sandbox {
    const key = JSON.stringify(opts);
    let sb = Sandbox.pool.get(key);
    if (!sb) {
      sb = new Sandbox(opts);
      Sandbox.pool.set(key, sb);
    }
    return sb;
  }

  private readonly slots: (WorkerSlot | null)[];
  private next = 0;
  private session: Session | null = null;
  private closed = false;

  constructor(private readonly opts: SandboxOptions) {
    this.slots = Array.from({ length: Math.max(1, opts.workers) + SPARE_WORKERS }, () => null);
  }

  /** Starts the workers ahead of the first run (optional: runs start them on demand). */
  async start(): Promise<void> {
    const deadline = Date.now() + this.opts.workerStartMs;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slotAt(i);
      while (Atomics.load(slot.channel.ctl, CTL.STATE) !== WORKER_STATE.READY) {
        if (Date.now() > deadline) throw new Error(`sandbox worker did not start within ${this.opts.workerStartMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  get inSession(): boolean {
    return this.session !== null;
  }

  /** Workers ready to open a session now. */
  get readyWorkers(): number {
    return this.slots.filter((s) => s !== null && Atomics.load(s.channel.ctl, CTL.STATE) === WORKER_STATE.READY).length;
  }

  /** Resolves once a worker is ready to run a session (at once if one is); rejects if none starts in time. */
  async whenReady(): Promise<void> {
    const deadline = performance.now() + this.opts.workerStartMs;
    while (this.readySlot() === null) {
      if (this.closed) throw new Error('sandbox is closed');
      if (performance.now() > deadline) throw new Error(`no sandbox worker started within ${this.opts.workerStartMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Runs one frame. Without an open session this opens one on a ready worker, with `session`'s limits
   * and kill deadlines; inside a session (called from an RpcHandler) the frame nests in the same runtime.
   */
  run(frame: Frame, onRpc: RpcHandler, session?: SessionOptions): FrameResult {
    if (this.session?.aborted) throw this.session.aborted;
    const top = this.session === null;
    if (top) {
      if (!session) throw new Error('a top-level run needs session limits');
      const slot = this.takeSlot(session.waitForWorker ?? true);
      slot.stopwatch.stopped(0);
      this.session = { slot, wallDeadline: performance.now() + session.hardKillMs, guestLimitMs: session.limits.cpuMs + session.killGraceMs, aborted: null };
    }
    const s = this.session!;
    try {
      this.send(s, { t: 'run', frame, ...(top ? { session: session!.limits } : {}) });
      for (;;) {
        const m = this.receive(s);
        if (m.t === 'done') {
          if (m.frame !== frame.id) throw this.crash(s, `frame ${m.frame} finished while ${frame.id} was running`);
          const outcome: FrameOutcome = m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error };
          return { outcome, logs: m.logs, cpuMs: m.cpuMs };
        }
        if (m.t !== 'rpc') throw this.crash(s, `unexpected message '${(m as { t: string }).t}'`);
        let reply: ToWorker;
        try {
          const r = onRpc(m);
          reply = r.ok ? { t: 'reply', ok: true, value: r.value } : { t: 'reply', ok: false, error: r.error };
        } catch (err) {
          if (err instanceof SandboxAborted) throw err;
          reply = { t: 'reply', ok: false, error: { code: 'INTERNAL', message: `Host error while serving the guest: ${(err as Error).message}`, details: {} } };
        }
        // The guest answers its calls' results at once, so the backstop is checked here too, not only while waiting.
        if (performance.now() >= s.wallDeadline) throw this.abort(s, 'wall');
        this.send(s, reply);
      }
    } finally {
      if (top) this.session = null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const live = this.slots.filter((s): s is WorkerSlot => s !== null);
    this.slots.fill(null);
    await Promise.all(live.map((s) => s.worker.terminate()));
  }

  private send(s: Session, m: ToWorker): void {
    s.slot.channel.send(CTL.TO_WORKER, m);
  }

  /**
   * Waits for the worker's next message, killing the worker once the guest has run past its budget
   * and the grace (by the worker's own stopwatch, which stands still while the host serves the guest's
   * calls) or the session passed its wall-clock backstop.
   */
  private receive(s: Session): ToHost {
    const { channel, stopwatch } = s.slot;
    for (;;) {
      const now = performance.now();
      // If the guest is not running (not yet started, or calling the host), this is the earliest it could be due.
      const due = now + Math.min(s.wallDeadline - now, s.guestLimitMs - stopwatch.read());
      const m = channel.receive<ToHost>(CTL.TO_HOST, s.slot.seenFromWorker, due);
      if (m !== undefined) {
        s.slot.seenFromWorker = channel.seq(CTL.TO_HOST);
        return m;
      }
      if (performance.now() >= s.wallDeadline) throw this.abort(s, 'wall');
      if (stopwatch.read() >= s.guestLimitMs) throw this.abort(s, 'cpu');
    }
  }

  private crash(s: Session, why: string): SandboxAborted {
    return this.abort(s, 'crashed', `sandbox protocol error: ${why}`);
  }

  /**
   * Ends the session for good: its worker is terminated and a successor starts booting. The guest is
   * held to the run time it was allowed: anything past that is the host noticing late.
   */
  private abort(s: Session, reason: SandboxAborted['reason'], detail?: string): SandboxAborted {
    s.aborted = new SandboxAborted(reason, Math.min(s.slot.stopwatch.read(), s.guestLimitMs), detail);
    this.replace(s.slot);
    return s.aborted;
  }

  /**
   * A ready worker, the next in rotation first (so each tears down its last runtime while another
   * serves). If every worker is booting: wait for one, or with `wait` false throw SandboxUnavailable.
   */
  private takeSlot(wait: boolean): WorkerSlot {
    const deadline = performance.now() + this.opts.workerStartMs;
    for (;;) {
      const i = this.readySlot();
      if (i !== null) {
        this.next = (i + 1) % this.slots.length;
        return this.slots[i]!;
      }
      if (!wait) throw new SandboxUnavailable();
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`sandbox worker did not start within ${this.opts.workerStartMs} ms`);
      const booting = this.slotAt(this.next);
      Atomics.wait(booting.channel.ctl, CTL.STATE, WORKER_STATE.STARTING, Math.min(left, 50));
    }
  }

  /** The index of a ready worker, the next in rotation first; replaces poisoned ones on the way. */
  private readySlot(): number | null {
    for (let k = 0; k < this.slots.length; k++) {
      const i = (this.next + k) % this.slots.length;
      const slot = this.slotAt(i);
      const state = Atomics.load(slot.channel.ctl, CTL.STATE);
      // A worker poisons itself when QuickJS can no longer be trusted (failed tear-down, WASM abort).
      if (state === WORKER_STATE.POISONED) this.replace(slot);
      else if (state === WORKER_STATE.READY) return i;
    }
    return null;
  }

  private replace(slot: WorkerSlot): void {
    const i = this.slots.indexOf(slot);
    void slot.worker.terminate();
    if (i < 0) return;
    this.slots[i] = null;
    // Start the successor now so it is warm by the next command.
    if (!this.closed) this.slotAt(i);
  }

  private slotAt(i: number): WorkerSlot {
    if (this.closed) throw new Error('sandbox is closed');
    let slot = this.slots[i];
    if (!slot) {
      const buffers: ChannelBuffers = Channel.allocate(this.opts.messageBytes);
      const channel = new Channel(buffers, this.opts.spinUs);
      const stopwatch = new SharedStopwatch(SharedStopwatch.allocate());
      const worker = new Worker(BOOT, { workerData: { entry: WORKER_ENTRY, buffers, spinUs: this.opts.spinUs, stopwatchBuffer: stopwatch.buffer } });
      worker.unref();
      // Failures surface through the channel deadline; an unhandled 'error' event must not crash the host.
      worker.on('error', () => {});
      // A worker that died while idle must not be handed the next session (seen only between commands).
      worker.on('exit', () => Atomics.store(channel.ctl, CTL.STATE, WORKER_STATE.POISONED));
      slot = { worker, channel, stopwatch, seenFromWorker: channel.seq(CTL.TO_HOST) };
      this.slots[i] = slot;
    }
    return slot;
  }
}
