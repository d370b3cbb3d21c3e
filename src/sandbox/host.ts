import { Worker } from 'node:worker_threads';
import { Channel, type ChannelBuffers } from './channel.ts';
import { CTL, WORKER_STATE, type Frame, type FrameOutcome, type GuestError, type RpcRequest, type SessionLimits, type ToHost, type ToWorker } from './protocol.ts';

export interface SandboxOptions {
  messageBytes: number;
  spinUs: number;
  workerStartMs: number;
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
  ) {
    super(reason === 'deadline' ? `sandbox killed after ${Math.round(elapsedMs)} ms` : 'sandbox worker crashed');
  }
}

const WORKER_ENTRY = new URL('./worker.ts', import.meta.url).href;
const BOOT = new URL('./worker-boot.mjs', import.meta.url);

interface WorkerSlot {
  worker: Worker;
  channel: Channel;
  seenFromWorker: number;
}

/**
 * Host side of the sandbox. Runs are synchronous: the host thread blocks (spinning, then in
 * Atomics.wait) until the worker answers, serving the guest's calls in between. The database and its
 * open transaction never leave this thread. A run that passes its wall-clock deadline gets the worker
 * terminated; a fresh worker starts at once for the next command.
 */
export class Sandbox {
  private static readonly pool = new Map<string, Sandbox>();

  /**
   * One sandbox per process and option set, shared by every world the process opens: the worker holds
   * no state between sessions, and commands are synchronous, so worlds never interleave in it.
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

  private slot: WorkerSlot | null = null;
  private session: { deadline: number; started: number; aborted: SandboxAborted | null } | null = null;
  private closed = false;

  constructor(private readonly opts: SandboxOptions) {}

  /** Starts the worker ahead of the first run (optional: `run` starts it on demand). */
  async start(): Promise<void> {
    const slot = this.ensureWorker(false);
    const deadline = Date.now() + this.opts.workerStartMs;
    while (Atomics.load(slot.channel.ctl, CTL.STATE) !== WORKER_STATE.READY) {
      if (Date.now() > deadline) throw new Error(`sandbox worker did not start within ${this.opts.workerStartMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  get inSession(): boolean {
    return this.session !== null;
  }

  /**
   * Runs one frame. Without an open session this opens one with `limits` and a hard deadline of
   * `hardKillMs`; inside a session (called from an RpcHandler) the frame nests in the same runtime.
   */
  run(frame: Frame, onRpc: RpcHandler, session?: { limits: SessionLimits; hardKillMs: number }): FrameResult {
    if (this.session?.aborted) throw this.session.aborted;
    const top = this.session === null;
    if (top && !session) throw new Error('a top-level run needs session limits');
    const slot = this.ensureWorker(true);
    if (top) {
      const started = performance.now();
      this.session = { started, deadline: started + session!.hardKillMs, aborted: null };
    }
    try {
      this.send(slot, { t: 'run', frame, ...(top ? { session: session!.limits } : {}) });
      for (;;) {
        const m = this.receive(slot);
        if (m.t === 'done') {
          if (m.frame !== frame.id) throw this.crash(slot, `frame ${m.frame} finished while ${frame.id} was running`);
          const outcome: FrameOutcome = m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error };
          return { outcome, logs: m.logs, cpuMs: m.cpuMs };
        }
        if (m.t === 'rpc') {
          let reply: ToWorker;
          try {
            const r = onRpc(m);
            reply = r.ok ? { t: 'reply', ok: true, value: r.value } : { t: 'reply', ok: false, error: r.error };
          } catch (err) {
            if (err instanceof SandboxAborted) throw err;
            reply = { t: 'reply', ok: false, error: { code: 'INTERNAL', message: `Host error while serving the guest: ${(err as Error).message}`, details: {} } };
          }
          this.send(slot, reply);
          continue;
        }
        throw this.crash(slot, `unexpected message '${(m as { t: string }).t}'`);
      }
    } finally {
      if (top) this.session = null;
    }
  }

  /** Guest CPU budget helpers need to know how long the current session has run, in wall time. */
  sessionElapsedMs(): number {
    return this.session ? performance.now() - this.session.started : 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    const slot = this.slot;
    this.slot = null;
    if (slot) await slot.worker.terminate();
  }

  private send(slot: WorkerSlot, m: ToWorker): void {
    slot.channel.send(CTL.TO_WORKER, m);
  }

  private receive(slot: WorkerSlot): ToHost {
    const s = this.session!;
    const m = slot.channel.receive<ToHost>(CTL.TO_HOST, slot.seenFromWorker, s.deadline);
    if (m === undefined) {
      const elapsed = performance.now() - s.started;
      s.aborted = new SandboxAborted('deadline', elapsed);
      this.replace(slot);
      throw s.aborted;
    }
    slot.seenFromWorker = slot.channel.seq(CTL.TO_HOST);
    return m;
  }

  private crash(slot: WorkerSlot, why: string): SandboxAborted {
    const err = new SandboxAborted('crashed', this.sessionElapsedMs());
    err.message = `sandbox protocol error: ${why}`;
    if (this.session) this.session.aborted = err;
    this.replace(slot);
    return err;
  }

  private replace(slot: WorkerSlot): void {
    if (this.slot === slot) this.slot = null;
    void slot.worker.terminate();
    // Start the successor now so it is warm by the next command.
    if (!this.closed) this.ensureWorker(false);
  }

  private ensureWorker(waitReady: boolean): WorkerSlot {
    if (this.closed) throw new Error('sandbox is closed');
    // A worker poisons itself when QuickJS can no longer be trusted (failed tear-down, WASM abort).
    if (this.slot && this.session === null && Atomics.load(this.slot.channel.ctl, CTL.STATE) === WORKER_STATE.POISONED) this.replace(this.slot);
    if (!this.slot) {
      const buffers: ChannelBuffers = Channel.allocate(this.opts.messageBytes);
      const channel = new Channel(buffers, this.opts.spinUs);
      const worker = new Worker(BOOT, { workerData: { entry: WORKER_ENTRY, buffers, spinUs: this.opts.spinUs } });
      worker.unref();
      // Errors surface through the channel deadline; an unhandled 'error' event must not crash the host.
      worker.on('error', () => {});
      this.slot = { worker, channel, seenFromWorker: channel.seq(CTL.TO_HOST) };
    }
    const slot = this.slot;
    if (waitReady && Atomics.load(slot.channel.ctl, CTL.STATE) !== WORKER_STATE.READY) {
      const r = Atomics.wait(slot.channel.ctl, CTL.STATE, WORKER_STATE.STARTING, this.opts.workerStartMs);
      if (r === 'timed-out') throw new Error(`sandbox worker did not start within ${this.opts.workerStartMs} ms`);
    }
    return slot;
  }
}
