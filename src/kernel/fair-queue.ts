import { KernelError } from './errors.ts';

/**
 * A task's answer meaning "nothing happened; run me again once `until` settles". Its principal's
 * queue waits (keeping its order) while other principals' commands run.
 */
export class NotYet {
  constructor(readonly until: Promise<unknown>) {}
}

export interface FairQueueOptions {
  /** Tasks one principal may have waiting; more are refused with RATE_LIMITED. */
  maxQueued: number;
  /** How long usage is remembered: it decays by a factor e every this many milliseconds (default 1000). */
  memoryMs?: number;
  /**
   * Host time that one principal's consecutive cheap tasks may share one macrotask (default 2 ms).
   * Yielding after every sub-millisecond command cost about a third of the throughput of 16 concurrent
   * in-process clients of one principal (measured). Only the same principal's tasks share a turn:
   * a task's answer goes out when its turn ends, so only that principal's own next task may delay it.
   */
  sliceMs?: number;
  /** Milliseconds, to measure what each task cost and to decay usage. */
  now?: () => number;
}

interface Entry {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Submission order, to break ties. */
  seq: number;
}

interface Lane {
  entries: Entry[];
  /** Host time the principal's tasks took, decayed to `at`. */
  usage: number;
  at: number;
  /** Waiting for a NotYet to settle. */
  parked: boolean;
  /** Mean cost of the lane's tasks (exponentially weighted), for retry_after_ms. */
  meanCost: number;
}

/** Usage below this is forgotten: a principal that comes back starts like a new one. */
const FORGOTTEN_MS = 0.01;

/**
 * Runs synchronous tasks one at a time, fairly across principals, so that one principal's backlog never
 * sits in front of another's. The next task is the head of the principal with the least recent usage:
 * the host time its tasks took, decaying over about `memoryMs`. A principal making occasional cheap
 * calls therefore goes next whenever it asks, whatever others have queued; principals that keep the
 * host busy take turns so that each gets an equal share of its time. After a task, the event loop gets
 * a turn (setImmediate) before the next pick, so requests that arrived while it ran join the queue
 * first; only one principal's consecutive tasks within a short slice of host time share a turn.
 */
export class FairQueue {
  private readonly lanes = new Map<string, Lane>();
  private scheduled = false;
  private closed: Error | null = null;
  private seq = 0;
  private readonly now: () => number;
  private readonly memoryMs: number;
  private readonly sliceMs: number;

  constructor(private readonly opts: FairQueueOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.memoryMs = opts.memoryMs ?? 1_000;
    this.sliceMs = opts.sliceMs ?? 2;
  }

  /** Queues `task` for `principal`; settles with what it returns (or throws) once it has run. */
  submit<T>(principal: string, task: () => T | NotYet): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    let lane = this.lanes.get(principal);
    if (!lane) {
      lane = { entries: [], usage: 0, at: this.now(), parked: false, meanCost: 0 };
      this.lanes.set(principal, lane);
    }
    if (lane.entries.length >= this.opts.maxQueued) return Promise.reject(this.full(principal, lane));
    const seq = this.seq++;
    const done = new Promise<T>((resolve, reject) => lane.entries.push({ run: task, resolve: resolve as (v: unknown) => void, reject, seq }));
    this.schedule();
    return done;
  }

  /** Tasks waiting, over all principals. */
  get size(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.entries.length;
    return n;
  }

  /** Refuses new tasks and fails the waiting ones with `reason`. */
  close(reason: Error): void {
    this.closed = reason;
    for (const lane of this.lanes.values()) for (const e of lane.entries.splice(0)) e.reject(reason);
    this.lanes.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const started = this.now();
      let lane = this.dispatch(null);
      while (lane && this.now() - started < this.sliceMs) lane = this.dispatch(lane);
      if (this.size > 0) this.schedule();
    });
  }

  /** Runs the next task, if there is one (and it is `only`'s, when given); returns the lane it ran. */
  private dispatch(only: Lane | null): Lane | null {
    const lane = this.pick();
    if (!lane || (only !== null && lane !== only)) return null;
    const entry = lane.entries[0]!;
    const t0 = this.now();
    let outcome: { ok: true; value: unknown } | { ok: false; err: unknown };
    try {
      outcome = { ok: true, value: entry.run() };
    } catch (err) {
      outcome = { ok: false, err };
    }
    const t1 = this.now();
    const cost = Math.max(0, t1 - t0);
    lane.usage = this.usage(lane, t1) + cost;
    lane.at = t1;
    lane.meanCost = lane.meanCost === 0 ? cost : 0.8 * lane.meanCost + 0.2 * cost;
    if (outcome.ok && outcome.value instanceof NotYet) {
      // The entry stays at the head: this principal's later commands must not overtake it.
      lane.parked = true;
      const resume = () => {
        lane.parked = false;
        this.schedule();
      };
      outcome.value.until.then(resume, resume);
    } else {
      lane.entries.shift();
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.err);
    }
    return lane;
  }

  private usage(lane: Lane, now: number): number {
    const u = lane.usage * Math.exp(-Math.max(0, now - lane.at) / this.memoryMs);
    return u < FORGOTTEN_MS ? 0 : u;
  }

  /** The runnable lane with the least usage (ties: the earliest submitted head); forgets idle lanes whose usage has decayed away. */
  private pick(): Lane | undefined {
    const now = this.now();
    let best: Lane | undefined;
    let bestUsage = Infinity;
    for (const [principal, lane] of this.lanes) {
      const usage = this.usage(lane, now);
      if (lane.entries.length === 0) {
        if (usage === 0) this.lanes.delete(principal);
        continue;
      }
      if (lane.parked) continue;
      if (usage < bestUsage || (usage === bestUsage && lane.entries[0]!.seq < best!.entries[0]!.seq)) {
        best = lane;
        bestUsage = usage;
      }
    }
    return best;
  }

  private full(principal: string, lane: Lane): KernelError {
    let others = 0;
    for (const l of this.lanes.values()) if (l !== lane && l.entries.length > 0) others++;
    // Until this principal's next command runs: its own cost, and about one of each other waiting principal's.
    const retry = Math.max(1, Math.ceil(lane.meanCost * (1 + others)));
    return new KernelError(
      'RATE_LIMITED',
      `${principal} already has ${this.opts.maxQueued} commands waiting in this server's queue. Wait for their answers before sending more; retry in ${retry} ms.`,
      { principal, resource: 'queue', queued: lane.entries.length, limit: this.opts.maxQueued },
      { retryAfterMs: retry },
    );
  }
}
