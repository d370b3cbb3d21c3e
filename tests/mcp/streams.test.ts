import { describe, expect, it } from 'vitest';
import { StreamQuota, closable } from '../../src/mcp/streams.ts';

const take = (q: StreamQuota, p: string) => {
  const a = q.acquire(p);
  if ('refused' in a) throw new Error(`refused: ${a.refused}`);
  let closed = false;
  a.onClose(() => {
    closed = true;
    a.release();
  });
  return { release: a.release, closed: () => closed };
};

describe('StreamQuota', () => {
  it('refuses a principal at its own limit, whatever room the table has', () => {
    const q = new StreamQuota(2, 10);
    take(q, 'eve');
    take(q, 'eve');
    expect(q.acquire('eve')).toEqual({ refused: 'principal' });
    expect(q.size).toBe(2);
  });

  it('a full table closes the oldest stream of whoever holds the most, never anyone\'s last', () => {
    const q = new StreamQuota(3, 4);
    const e1 = take(q, 'eve');
    const e2 = take(q, 'eve');
    const e3 = take(q, 'eve');
    const a1 = take(q, 'alice');
    const b1 = take(q, 'bob');
    expect([e1.closed(), e2.closed(), e3.closed(), a1.closed()]).toEqual([true, false, false, false]);
    expect([q.held('eve'), q.held('alice'), q.held('bob'), q.size]).toEqual([2, 1, 1, 4]);
    take(q, 'carol');
    expect(e2.closed()).toBe(true);
    expect([q.held('eve'), q.size]).toEqual([1, 4]);
    // Everyone holds one: the newcomer is refused, and nobody is closed.
    expect(q.acquire('dave')).toEqual({ refused: 'full' });
    expect([e3.closed(), a1.closed(), b1.closed()]).toEqual([false, false, false]);
    // A stream that ends makes room; releasing twice counts once.
    b1.release();
    b1.release();
    expect(q.size).toBe(3);
    take(q, 'dave');
    expect(q.size).toBe(4);
  });
});

describe('closable', () => {
  it('passes the body through and calls onEnd once when the server closes it', async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('event: hello\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    let ends = 0;
    const { body, close } = closable(source, () => ends++);
    const reader = body.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('event: hello\n\n');
    close();
    close();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await new Promise((r) => setTimeout(r, 0));
    expect([ends, cancelled]).toEqual([1, true]);
  });

  it('calls onEnd once when the client cancels', async () => {
    let ends = 0;
    const { body, close } = closable(new ReadableStream<Uint8Array>(), () => ends++);
    await body.cancel('client went away');
    close();
    expect(ends).toBe(1);
  });
});
