import { CTL } from './protocol.ts';

export interface ChannelBuffers {
  ctl: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export class MessageTooLarge extends Error {
  constructor(readonly bytes: number, readonly limit: number) {
    super(`message of at least ${bytes} bytes exceeds the ${limit}-byte channel`);
  }
}

/**
 * One direction-agnostic mailbox over shared memory. Each side bumps its own sequence word after
 * writing the data area; the other side waits for that word to change. Waiting spins briefly first:
 * a cross-thread wake-up through Atomics.wait costs 40-80 µs here, a spin ~1 µs.
 */
export class Channel {
  readonly ctl: Int32Array;
  private readonly data: Uint8Array;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(
    readonly buffers: ChannelBuffers,
    /** Microseconds to busy-wait before sleeping in Atomics.wait. */
    private readonly spinUs: number,
  ) {
    this.ctl = new Int32Array(buffers.ctl);
    this.data = new Uint8Array(buffers.data);
  }

  static allocate(dataBytes: number): ChannelBuffers {
    return { ctl: new SharedArrayBuffer(CTL.SIZE * 4), data: new SharedArrayBuffer(dataBytes) };
  }

  get capacity(): number {
    return this.data.length;
  }

  send(word: number, message: unknown): void {
    const text = JSON.stringify(message);
    // A UTF-16 unit encodes to at most 3 bytes: cheap pre-check before touching shared memory.
    if (text.length > this.data.length) throw new MessageTooLarge(text.length, this.data.length);
    const { read, written } = this.encoder.encodeInto(text, this.data);
    if (read < text.length) throw new MessageTooLarge(text.length, this.data.length);
    Atomics.store(this.ctl, CTL.LENGTH, written);
    Atomics.add(this.ctl, word, 1);
    Atomics.notify(this.ctl, word);
  }

  /** Current sequence value of `word`; pass it to `receive` to wait for the next message. */
  seq(word: number): number {
    return Atomics.load(this.ctl, word);
  }

  /**
   * Waits until `word` moves past `seen`, then decodes the message. Returns undefined if `deadline`
   * (a `performance.now()` value) passes first. No deadline waits forever.
   */
  receive<T>(word: number, seen: number, deadline?: number): T | undefined {
    if (this.spinUs > 0 && Atomics.load(this.ctl, word) === seen) {
      const until = performance.now() + this.spinUs / 1000;
      while (Atomics.load(this.ctl, word) === seen && performance.now() < until);
    }
    while (Atomics.load(this.ctl, word) === seen) {
      if (deadline === undefined) {
        Atomics.wait(this.ctl, word, seen);
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      Atomics.wait(this.ctl, word, seen, left);
    }
    const length = Atomics.load(this.ctl, CTL.LENGTH);
    // slice() copies into an unshared buffer, which TextDecoder requires.
    return JSON.parse(this.decoder.decode(this.data.slice(0, length))) as T;
  }
}
