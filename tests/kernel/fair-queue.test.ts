import { describe, expect, it } from 'vitest';
import { FairQueue, NotYet } from '../../src/kernel/fair-queue.ts';
import { KernelError } from '../../src/kernel/errors.ts';

/**
 * The queue's ordering, with a virtual clock: each task advances it by what the task "costs", so the
 * order is deterministic whatever the machine is doing.
 */
function harness(maxQueued = 100, sliceMs?: number) {
  let clock = 0;
  const order: string[] = [];
  const q = new FairQueue({ maxQueued, now: () => clock, ...(sliceMs === undefined ? {} : { sliceMs }) });
  const task = (who: string, cost: number, then?: () => void) => () => {
    order.push(who);
    clock += cost;
    then?.();
    return who;
  };
  return { q, order, task, advance: (ms: number) => (clock += ms) };
}

describe('fair queue', () => {
  it('a principal with no backlog goes next, ahead of another principal\'s backlog', async () => {
    const { q, order, task } = harness();
    const all: Promise<unknown>[] = [];
    // alice queues ten 100 ms commands; while her second runs, bob asks for one 1 ms command.
    for (let i = 0; i < 10; i++) all.push(q.submit('alice', task(`alice${i}`, 100, i === 1 ? () => void all.push(q.submit('bob', task('bob', 1))) : undefined)));
    await Promise.all(all);
    await Promise.all(all); // bob's promise was added while the first batch was awaited
    expect(order.indexOf('bob')).toBe(2);
    expect(order.filter((o) => o.startsWith('alice'))).toEqual(Array.from({ length: 10 }, (_, i) => `alice${i}`));
  });

  it('principals that keep the host busy take turns by the time they use, not by how much they queue', async () => {
    const { q, order, task } = harness();
    const all: Promise<unknown>[] = [];
    // heavy queues 20 commands of 10 ms, light 20 of 1 ms, queued first by heavy.
    for (let i = 0; i < 20; i++) all.push(q.submit('heavy', task('heavy', 10)));
    for (let i = 0; i < 20; i++) all.push(q.submit('light', task('light', 1)));
    await Promise.all(all);
    // Equal shares of time: by the time heavy has run 2 commands (20 ms), light has run about 20 (20 ms).
    const firstTwelve = order.slice(0, 12);
    expect(firstTwelve.filter((o) => o === 'heavy').length).toBeLessThanOrEqual(2);
    expect(order.slice(0, 22).filter((o) => o === 'light').length).toBe(20);
  });

  it('three equal attackers round-robin, and a bystander arriving at any point runs next', async () => {
    const { q, order, task } = harness();
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 6; i++) for (const a of ['a', 'b', 'c']) all.push(q.submit(a, task(a, 100, () => {
      // Each time attacker c runs, the bystander asks for one cheap command.
      if (a === 'c') all.push(q.submit('bystander', task('bystander', 1)));
    })));
    await Promise.all(all);
    await Promise.all(all);
    expect(order.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
    order.forEach((o, i) => {
      if (o === 'c' && i + 1 < order.length) expect(order[i + 1]).toBe('bystander');
    });
    // No attacker ran twice before each of the others ran once more.
    const attackers = order.filter((o) => o !== 'bystander');
    for (let i = 0; i + 3 <= attackers.length; i += 3) expect(attackers.slice(i, i + 3).sort()).toEqual(['a', 'b', 'c']);
  });

  it('usage is forgotten over time: a principal idle for a while is treated like a new one', async () => {
    const { q, order, task, advance } = harness();
    await q.submit('alice', task('alice', 1_000));
    // Just after her long command, bob goes first even though alice asked first...
    await Promise.all([q.submit('alice', task('alice', 1)), q.submit('bob', task('bob', 1))]);
    expect(order).toEqual(['alice', 'bob', 'alice']);
    // ...but once her usage has decayed away, the earlier submission wins again.
    advance(60_000);
    await Promise.all([q.submit('alice', task('alice', 1)), q.submit('bob', task('bob', 1))]);
    expect(order.slice(3)).toEqual(['alice', 'bob']);
  });

  it('keeps each principal\'s own commands in order; the event loop gets a turn after each command, or once cheap ones have used a short slice', async () => {
    const run = async (sliceMs: number, cost: number, principals = ['alice']) => {
      const { q, advance } = harness(100, sliceMs);
      const events: string[] = [];
      const step = (who: string) => () => {
        events.push(who);
        advance(cost);
        // Anything the event loop has to do (a request arriving) gets its turn before the next command.
        setImmediate(() => events.push(`io after ${who}`));
        return who;
      };
      const all = Array.from({ length: 4 }, (_, i) => q.submit(principals[i % principals.length]!, step(`a${i}`)));
      // Nothing runs before the submitter yields.
      expect(events).toEqual([]);
      await Promise.all(all);
      await new Promise((r) => setImmediate(r));
      return events;
    };
    // A command as long as the slice ends the turn.
    expect(await run(2, 2)).toEqual(['a0', 'io after a0', 'a1', 'io after a1', 'a2', 'io after a2', 'a3', 'io after a3']);
    // One principal's commands of 1 ms share a 2 ms slice two by two...
    expect(await run(2, 1)).toEqual(['a0', 'a1', 'io after a0', 'io after a1', 'a2', 'a3', 'io after a2', 'io after a3']);
    // ...but never another principal's: its answer would wait for them.
    expect(await run(2, 0, ['alice', 'bob'])).toEqual(['a0', 'io after a0', 'a1', 'io after a1', 'a2', 'io after a2', 'a3', 'io after a3']);
  });

  it('a full per-principal queue refuses with RATE_LIMITED and retry_after_ms, without running the task; others are unaffected', async () => {
    const { q, task } = harness(2);
    let ran = 0;
    const counted = (who: string) => () => {
      ran++;
      return task(who, 5)();
    };
    const a1 = q.submit('alice', counted('a1'));
    const a2 = q.submit('alice', counted('a2'));
    const refused = q.submit('alice', counted('a3'));
    const bob = q.submit('bob', counted('b1'));
    const err = await refused.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KernelError);
    const e = err as KernelError;
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(e.message).toMatch(/waiting/);
    expect(await Promise.all([a1, a2, bob])).toEqual(['a1', 'a2', 'b1']);
    expect(ran).toBe(3);
    // Room again once the queue drained.
    expect(await q.submit('alice', counted('a4'))).toBe('a4');
  });

  it('a task answering NotYet waits, keeping its principal\'s order, while other principals run', async () => {
    const { q, order, task } = harness();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let tries = 0;
    const needsWorker = () => {
      tries++;
      if (tries === 1) return new NotYet(gate);
      order.push('alice-code');
      return 'done';
    };
    const code = q.submit('alice', needsWorker);
    const next = q.submit('alice', task('alice-next', 1));
    const bob = q.submit('bob', task('bob', 1));
    await bob;
    expect(order).toEqual(['bob']);
    release();
    expect(await code).toBe('done');
    await next;
    expect(order).toEqual(['bob', 'alice-code', 'alice-next']);
  });

  it('a task that throws rejects its own promise only', async () => {
    const { q, task } = harness();
    const bad = q.submit('alice', () => {
      throw new Error('boom');
    });
    const good = q.submit('alice', task('fine', 1));
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toBe('fine');
  });

  it('closing fails what is waiting and refuses new tasks', async () => {
    const { q, task } = harness();
    const waiting = q.submit('alice', task('a', 1));
    q.close(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
    await expect(q.submit('bob', task('b', 1))).rejects.toThrow('closed');
    expect(q.size).toBe(0);
  });
});
