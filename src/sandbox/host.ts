import { Worker } from 'node:worker_threads';
import { Channel, type ChannelBuffers } from './channel.ts';
import { CTL, WORKER_STATE, type Frame, type FrameOutcome, type GuestError, type RpcRequest, type SessionLimits, type ToHost, type ToWorker } from './protocol.ts';

export interface SandboxOptions {
  messageBytes: number;
  spinUs: number;
  workerStartMs: number;
  /** Workers to rotate between: each tears down and pre-builds its runtime while the others serve. */
  workers: number;
}

/** Serves one guest request synchronously. Throwing SandboxAborted unwinds the whole session. */
export type RpcHandler = (req: RpcRequest) => { ok: true; value: string } | { ok: false; error: GuestError };

export interface FrameResult {
  outcome: FrameOutcome;
  logs: string[];
  /** Guest CPU time of the whole session; only set on the frame that opened it. */
  cpuMs: number;
}

/** The session died (hard deadline, crashed worker). Nothing can continue it; the command must fail. */
export class SandboxAborted extends Error {
  constructor(
    readonly reason: 'deadline' | 'crashed',
    readonly elapsedMs: number,
    detail?: string,
  ) {
    super(detail ?? (reason === 'deadline' ? `sandbox killed after ${Math.round(elapsedMs)} ms` : 'sandbox worker crashed'));
  }
}

const WORKER_ENTRY = new URL('./worker.ts', import.meta.url).href;
const BOOT = new URL('./worker-boot.mjs', import.meta.url);

interface WorkerSlot {
  worker: Worker;
  channel: Channel;
  seenFromWorker: number;
}

interface Session {
  slot: WorkerSlot;
  started: number;
  deadline: number;
  aborted: SandboxAborted | null;
}

/**
 * Host side of the sandbox. Runs are synchronous: the host thread blocks (spinning, then in
 * Atomics.wait) until the worker answers, serving the guest's calls in between. The database and its
 * open transaction never leave this thread. A session that passes its wall-clock deadline gets its
 * worker terminated; a fresh worker starts at once in that slot for later commands.
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
    this.slots = Array.from({ length: Math.max(1, opts.workers) }, () => null);
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

  /**
   * Runs one frame. Without an open session this opens one on the next worker, with `limits` and a
   * hard deadline of `hardKillMs`; inside a session (called from an RpcHandler) the frame nests in the
   * same runtime.
   */
  run(frame: Frame, onRpc: RpcHandler, session?: { limits: SessionLimits; hardKillMs: number }): FrameResult {
    if (this.session?.aborted) throw this.session.aborted;
    const top = this.session === null;
    if (top) {
      if (!session) throw new Error('a top-level run needs session limits');
      const started = performance.now();
      this.session = { slot: this.takeSlot(), started, deadline: started + session.hardKillMs, aborted: null };
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

  private receive(s: Session): ToHost {
    const m = s.slot.channel.receive<ToHost>(CTL.TO_HOST, s.slot.seenFromWorker, s.deadline);
    if (m === undefined) {
      s.aborted = new SandboxAborted('deadline', performance.now() - s.started);
      this.replace(s.slot);
      throw s.aborted;
    }
    s.slot.seenFromWorker = s.slot.channel.seq(CTL.TO_HOST);
    return m;
  }

  private crash(s: Session, why: string): SandboxAborted {
    s.aborted = new SandboxAborted('crashed', performance.now() - s.started, `sandbox protocol error: ${why}`);
    this.replace(s.slot);
    return s.aborted;
  }

  /** The next worker in rotation, ready (waiting for it to boot if it was just replaced). */
  private takeSlot(): WorkerSlot {
    const i = this.next;
    this.next = (this.next + 1) % this.slots.length;
    const slot = this.slotAt(i);
    if (Atomics.load(slot.channel.ctl, CTL.STATE) === WORKER_STATE.POISONED) {
      // A worker poisons itself when QuickJS can no longer be trusted (failed tear-down, WASM abort).
      this.replace(slot);
      return this.takeSlot();
    }
    if (Atomics.load(slot.channel.ctl, CTL.STATE) !== WORKER_STATE.READY) {
      const r = Atomics.wait(slot.channel.ctl, CTL.STATE, WORKER_STATE.STARTING, this.opts.workerStartMs);
      if (r === 'timed-out') throw new Error(`sandbox worker did not start within ${this.opts.workerStartMs} ms`);
    }
    return slot;
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
      const worker = new Worker(BOOT, { workerData: { entry: WORKER_ENTRY, buffers, spinUs: this.opts.spinUs } });
      worker.unref();
      // Failures surface through the channel deadline; an unhandled 'error' event must not crash the host.
      worker.on('error', () => {});
      slot = { worker, channel, seenFromWorker: channel.seq(CTL.TO_HOST) };
      this.slots[i] = slot;
    }
    return slot;
  }
}
