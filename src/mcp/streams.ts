/**
 * Counts the 2026-era notification streams (subscriptions/listen) each principal holds open. Each one
 * keeps a socket and its filter in this process for as long as the client wants, so without a limit
 * one principal could hold enough of them to starve everyone else of connections.
 */
export class StreamQuota {
  private readonly open = new Map<string | null, number>();

  constructor(readonly perPrincipal: number) {}

  /** A release function for a new stream of `principal`, or null if it holds its limit already. */
  acquire(principal: string | null): (() => void) | null {
    const n = this.open.get(principal) ?? 0;
    if (n >= this.perPrincipal) return null;
    this.open.set(principal, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.open.get(principal)! - 1;
      if (left === 0) this.open.delete(principal);
      else this.open.set(principal, left);
    };
  }

  held(principal: string | null): number {
    return this.open.get(principal) ?? 0;
  }
}

/** The same body, calling `onEnd` once when it finishes, fails or is cancelled (the client went away). */
export function untilEnd(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          onEnd();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        onEnd();
        controller.error(err);
      }
    },
    cancel(reason) {
      onEnd();
      return reader.cancel(reason);
    },
  });
}
