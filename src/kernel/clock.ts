/** Time is an input: the kernel reads it only through a Clock, so tests and replays control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch, as an integer. */
  now(): number;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** A clock that moves only when told to. Never goes backwards. */
export class VirtualClock implements Clock {
  private current: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`VirtualClock start must be a non-negative integer, got ${start}`);
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`VirtualClock.advance needs a non-negative integer, got ${ms}`);
    this.current += ms;
    return this.current;
  }

  set(at: number): number {
    if (!Number.isSafeInteger(at) || at < this.current) throw new RangeError(`VirtualClock.set cannot move backwards (now ${this.current}, asked ${at})`);
    this.current = at;
    return this.current;
  }
}
