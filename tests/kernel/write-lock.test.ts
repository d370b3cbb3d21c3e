import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestWorld, type TestWorld } from '../helpers/world.ts';

/**
 * Attack 6 of the infrastructure red team: a stdio process on the same world file holds SQLite's write
 * lock for whole commands. Another process waiting for it in SQLite's busy handler froze its event loop,
 * so every client of that process (an HTTP host) stalled for as long as the lock was held.
 */
describe('a write lock held by another process', () => {
  let dir = '';
  let t: TestWorld | undefined;
  let other: InstanceType<typeof Database> | undefined;

  afterEach(async () => {
    if (other?.inTransaction) other.exec('ROLLBACK');
    other?.close();
    if (t) {
      expect(t.world.check().ok).toBe(true);
      await t.world.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (busyMs: number) => {
    dir = mkdtempSync(join(tmpdir(), 'eco-lock-'));
    const path = join(dir, 'world.db');
    t = await openTestWorld({ path, principals: ['alice', 'bob'], config: { store: { busy_timeout_ms: busyMs } } });
    other = new Database(path);
    return t;
  };

  const scrip = (p: string): number => t!.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip;

  /** How late 1 ms timers fire while `work` is pending: the event loop's stall. */
  const worstTimerLag = async (work: Promise<unknown>) => {
    let worst = 0;
    let done = false;
    void work.finally(() => (done = true));
    while (!done) {
      const at = performance.now();
      await new Promise((r) => setTimeout(r, 1));
      worst = Math.max(worst, performance.now() - at);
    }
    return worst;
  };

  it('attack 6 (stdio write lock): a queued command waits without freezing the event loop, then runs', async () => {
    const { world } = await open(10_000);
    other!.exec('BEGIN IMMEDIATE');
    const pending = world.submit('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 5 });
    setTimeout(() => other!.exec('COMMIT'), 300);
    const lag = await worstTimerLag(pending);
    const r = await pending;
    expect(r.ok).toBe(true);
    // SQLite's busy handler would have blocked this thread for the whole 300 ms.
    expect(lag).toBeLessThan(150);
    expect(scrip('bob') - scrip('alice')).toBe(10);
  });

  it('attack 6 (stdio write lock): past the busy timeout the command fails with TIMEOUT and changes nothing', async () => {
    const { world } = await open(200);
    const before = [scrip('alice'), scrip('bob')];
    other!.exec('BEGIN IMMEDIATE');
    const pending = world.submit('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 5 });
    const lag = await worstTimerLag(pending);
    const r = await pending;
    other!.exec('COMMIT');
    expect(lag).toBeLessThan(150);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('TIMEOUT');
      expect(r.error.message).toMatch(/busy.*Retry/i);
    }
    expect([scrip('alice'), scrip('bob')]).toEqual(before);
  });
});
