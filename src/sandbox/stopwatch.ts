/**
 * The guest's run-time stopwatch, kept by the worker and read by the host to decide on a kill. The
 * worker starts it when guest code starts or resumes and stops it when the guest calls the host or
 * finishes, so it counts neither the host serving calls nor a worker that has not yet picked up its
 * work. It is one 64-bit word, written with one atomic store, so the host never reads half an update:
 * positive, the time (µs since the epoch) the guest would have started had it run without pause;
 * negative, minus one less the µs it has run in all.
 */
export class SharedStopwatch {
  private readonly word: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.word = new BigInt64Array(buffer);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(8);
  }

  /** The guest runs (again), having run `soFarMs` before. */
  running(soFarMs: number): void {
    Atomics.store(this.word, 0, BigInt(Math.round((epochMs() - soFarMs) * 1000)));
  }

  /** The guest stopped, having run `totalMs` in all. */
  stopped(totalMs: number): void {
    Atomics.store(this.word, 0, -BigInt(Math.round(totalMs * 1000)) - 1n);
  }

  /** Milliseconds the guest has run. */
  read(): number {
    const v = Atomics.load(this.word, 0);
    return v > 0n ? epochMs() - Number(v) / 1000 : Number(-v - 1n) / 1000;
  }
}

/** A clock both threads share: each thread's performance.now() counts from its own start. */
const epochMs = (): number => performance.timeOrigin + performance.now();
