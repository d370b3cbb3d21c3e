/**
 * Counts the 2026-era notification streams (subscriptions/listen) each principal holds open. Each one
 * keeps a socket and its filter in this process for as long as the client wants, so there is a limit
 * per principal and one in all. A full table never refuses a newcomer while someone else holds more
 * than one stream: the oldest stream of whoever holds the most is closed instead, so no crowd of
 * principals can lock another out of change notifications.
 */
interface Held {
  close: () => void;
  released: boolean;
}

export type Admission = { release: () => void; onClose: (close: () => void) => void } | { refused: 'principal' | 'full' };

export class StreamQuota {
  private readonly open = new Map<string | null, Held[]>();
  private total = 0;

  constructor(
    readonly perPrincipal: number,
    readonly maxTotal: number,
  ) {}

  /** Room for a new stream of `principal`, making it by closing the most-held principal's oldest. */
  acquire(principal: string | null): Admission {
    const mine = this.open.get(principal) ?? [];
    if (mine.length >= this.perPrincipal) return { refused: 'principal' };
    if (this.total >= this.maxTotal && !this.evictFromRichest()) return { refused: 'full' };
    const held: Held = { close: () => {}, released: false };
    mine.push(held);
    this.open.set(principal, mine);
    this.total++;
    return {
      release: () => this.release(principal, held),
      onClose: (close) => {
        held.close = close;
      },
    };
  }

  held(principal: string | null): number {
    return this.open.get(principal)?.length ?? 0;
  }

  get size(): number {
    return this.total;
  }

  private release(principal: string | null, held: Held): void {
    if (held.released) return;
    held.released = true;
    const list = this.open.get(principal)!;
    list.splice(list.indexOf(held), 1);
    if (list.length === 0) this.open.delete(principal);
    this.total--;
  }

  /** Closes the oldest stream of the principal holding the most, unless nobody holds more than one. */
  private evictFromRichest(): boolean {
    let richest: [string | null, Held[]] | undefined;
    for (const entry of this.open) if (!richest || entry[1].length > richest[1].length) richest = entry;
    if (!richest || richest[1].length < 2) return false;
    const oldest = richest[1][0]!;
    this.release(richest[0], oldest);
    oldest.close();
    return true;
  }
}

/**
 * The same body, calling `onEnd` once when it finishes, fails or is cancelled (the client went away);
 * `close` ends it from the server's side: the client sees the body end, and the source is cancelled so
 * whoever produced it tears down.
 */
export function closable(body: ReadableStream<Uint8Array>, onEnd: () => void): { body: ReadableStream<Uint8Array>; close: () => void } {
  const reader = body.getReader();
  let ctl: ReadableStreamDefaultController<Uint8Array> | undefined;
  let ended = false;
  const end = () => {
    if (ended) return false;
    ended = true;
    onEnd();
    return true;
  };
  const out = new ReadableStream<Uint8Array>({
    start(controller) {
      ctl = controller;
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          if (end()) controller.close();
        } else if (!ended) controller.enqueue(value);
      } catch (err) {
        if (end()) controller.error(err);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  const close = () => {
    if (!end()) return;
    try {
      ctl?.close();
    } catch {
      // already closed by the client
    }
    void reader.cancel('closed by the server to make room').catch(() => {});
  };
  return { body: out, close };
}
