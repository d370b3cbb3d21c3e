import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * An upstream's message larger than its bridge takes (four times the definition's max_result_bytes) is
 * refused as it arrives, never buffered whole: over stdio the SDK's read buffer stops at the cap and drops
 * the connection; over Streamable HTTP `cappedFetch` cuts the response body off.
 */
export class MessageTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the upstream sent a message larger than ${limit} bytes`);
  }
}

/** Whether an SDK transport error is its stdio read buffer refusing an over-long message. */
export const isReadBufferOverflow = (e: Error): boolean => /ReadBuffer exceeded maximum size/.test(e.message);

/** Statuses whose responses have no body (a Response with one cannot be made). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * The call a request is made for (its abort): the SDK waits out a call whose event stream failed, so the
 * fetch made for it aborts it instead.
 */
export const callAbort = new AsyncLocalStorage<AbortController>();

/**
 * fetch whose response bodies fail with MessageTooLarge once they pass `limit` bytes (per event in an event
 * stream, which may run for long; per body otherwise), dropping the connection; `onOver` is told first, and
 * the call the request was made for (callAbort) is aborted.
 */
export function cappedFetch(limit: number, onOver: () => void): typeof fetch {
  return async (input, init) => {
    const call = callAbort.getStore();
    const res = await fetch(input, init);
    if (!res.body || NO_BODY.has(res.status)) return res;
    const events = /^text\/event-stream/i.test(res.headers.get('content-type') ?? '');
    let held = 0;
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          const end = events ? afterLastEventEnd(chunk) : -1;
          held = end >= 0 ? chunk.byteLength - end : held + chunk.byteLength;
          if (held <= limit) return out.enqueue(chunk);
          onOver();
          out.error(new MessageTooLarge(limit));
          call?.abort(new MessageTooLarge(limit));
        },
      }),
    );
    const capped = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    // The SDK reads where a response came from to explain redirects it did not follow.
    Object.defineProperties(capped, { url: { value: res.url }, redirected: { value: res.redirected }, type: { value: res.type } });
    return capped;
  };
}

/** The offset just past the last blank line (an event's end: LF LF or CRLF CRLF) in `chunk`, or -1. */
function afterLastEventEnd(chunk: Uint8Array): number {
  for (let i = chunk.byteLength - 1; i > 0; i--) {
    if (chunk[i] === 10 && (chunk[i - 1] === 10 || (i > 1 && chunk[i - 1] === 13 && chunk[i - 2] === 10))) return i + 1;
  }
  return -1;
}
