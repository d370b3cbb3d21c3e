/**
 * Red team: the genesis code services keep every record on their own disk quota (genesis_taskboard
 * and genesis_debt 50 MB, genesis_lock 10 MB), shared by every agent and charged to none of them.
 */
import { describe, expect, it } from 'vitest';
import { useWorld, type TestWorld } from '../helpers/world.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';

const E = '\u{1F600}'; // one code point for maxLength, four bytes on disk
const diskOf = (t: TestWorld, p: string) => t.peek('genesis_rights', 'quotas', { principal: p }).disk as { quota: number; used: number };

/** A service call through artifact_invoke; when the caller's calls window is spent it waits (virtual time) and retries. */
function use(t: TestWorld, caller: string, id: string, method: string, args: object, pay = 0): InvokeResult {
  for (;;) {
    const r = t.call(caller, 'genesis_store', 'invoke', { id, method, args, ...(pay > 0 ? { pay } : {}) });
    if (r.ok || r.error.code !== 'RATE_LIMITED') return r;
    t.clock.advance(r.error.retry_after_ms ?? 60_000);
  }
}

/** One task, posted by `poster` and done by `worker`: the bounty goes round, the 18 KB record stays. */
function bloatedTask(t: TestWorld, poster: string, worker: string): InvokeResult {
  const post = use(t, poster, 'genesis_taskboard', 'post', { title: E.repeat(200), description: E.repeat(2_000), expires_in_s: 365 * 86_400 }, 1);
  if (!post.ok) return post;
  const task_id = (post.value as { id: string }).id;
  for (const [who, method, extra] of [[worker, 'claim', {}], [worker, 'submit', { result: E.repeat(2_000) }], [poster, 'accept', {}]] as const) {
    const r = use(t, who, 'genesis_taskboard', method, { task_id, ...extra });
    if (!r.ok) return r;
  }
  return post;
}

describe('red team: storage the genesis services pay for', () => {
  const w = useWorld({ principals: ['alice', 'eve', 'mallory'], config: { principal_defaults: { scrip: 100 } } });

  it('a finished task keeps 18 KB of the attacker\'s text on the board\'s disk, charged to nobody who wrote it', () => {
    const t = w();
    const eve0 = diskOf(t, 'eve').used + diskOf(t, 'mallory').used;
    const board0 = diskOf(t, 'genesis_taskboard').used;
    for (let i = 0; i < 5; i++) expect(bloatedTask(t, 'eve', 'mallory').ok).toBe(true);
    const board = diskOf(t, 'genesis_taskboard').used - board0;
    const attackers = diskOf(t, 'eve').used + diskOf(t, 'mallory').used - eve0;
    console.log(`board +${board} bytes, eve and mallory +${attackers} bytes; scrip eve+mallory:`, [
      t.peek('genesis_ledger', 'balance', { principal: 'eve' }).balances.scrip,
      t.peek('genesis_ledger', 'balance', { principal: 'mallory' }).balances.scrip,
    ]);
    expect(board).toBeGreaterThan(5 * 17_000);
    // Safe: what an agent makes a service keep is capped per agent (10 open and 10 finished tasks), within
    // the share of the service's disk each principal brings; a 20th finished task retires the oldest.
    for (let i = 0; i < 20; i++) expect(bloatedTask(t, 'eve', 'mallory').ok).toBe(true);
    expect(diskOf(t, 'genesis_taskboard').used - board0).toBeLessThanOrEqual(512_000);
    expect(attackers).toBeGreaterThanOrEqual(0);
  });

  it('two agents with default allocations fill the task board for good; then nobody can post a task', { timeout: 600_000 }, () => {
    const t = w();
    const { quota } = diskOf(t, 'genesis_taskboard');
    const start = t.clock.now();
    let tasks = 0;
    let last: InvokeResult | null = null;
    // About 2,750 tasks (about 40,000 calls: an hour of two default windows, in virtual time). No scrip is spent.
    while (tasks < 4_000) {
      // They take turns posting, so the bounty goes back and forth.
      last = tasks % 2 === 0 ? bloatedTask(t, 'eve', 'mallory') : bloatedTask(t, 'mallory', 'eve');
      if (!last.ok) break;
      tasks++;
    }
    // The last few kilobytes: small open tasks (1 scrip each, refundable whenever eve likes).
    let small = 0;
    while (use(t, 'eve', 'genesis_taskboard', 'post', { title: 'x', expires_in_s: 365 * 86_400 }, 1).ok) small++;
    const refusal = last && !last.ok ? `${last.error.code}: ${last.error.message.slice(0, 160)}` : 'none';
    console.log(`after ${tasks} tasks and ${small} small ones the board uses ${diskOf(t, 'genesis_taskboard').used} of ${quota} bytes; eve's last call: ${refusal}`);
    console.log(`world time taken: ${Math.round((t.clock.now() - start) / 60_000)} min`);
    console.log('scrip eve, mallory:', t.peek('genesis_ledger', 'balance', { principal: 'eve' }).balances.scrip, t.peek('genesis_ledger', 'balance', { principal: 'mallory' }).balances.scrip);
    // alice, an honest agent, posts a small task.
    const r = use(t, 'alice', 'genesis_taskboard', 'post', { title: 'translate a haiku', expires_in_s: 3_600 }, 5);
    if (!r.ok) console.log(`alice: ${r.error.code}: ${r.error.message.slice(0, 200)}`);
    // Safe: no agent can use up a service's capacity for everyone else.
    expect(r.ok).toBe(true);
  });
});
