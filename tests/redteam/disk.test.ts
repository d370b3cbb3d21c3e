/**
 * Red team: disk that grows with no one's quota. Every command, refused or not, is written to the
 * command log with its full arguments (the canonical request text). A call refused for its arguments
 * (INVALID_ARGS, including "too large") is refused before the calls window is consumed, so it is free,
 * yet its arguments, up to the 2 MiB message limit, land in the database.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestWorld, tempDir, type TestWorld } from '../helpers/world.ts';

describe('red team: the command log as free storage', () => {
  let t: TestWorld;
  let dir: { dir: string; cleanup: () => void };
  beforeEach(async () => {
    dir = tempDir();
    t = await openTestWorld({ path: join(dir.dir, 'world.db'), principals: ['eve'], config: { principal_defaults: { calls: 10 } } });
  });
  afterEach(async () => {
    const report = t.world.check();
    await t.world.close();
    dir.cleanup();
    expect(report.violations).toEqual([]);
  });

  const bytes = () => {
    t.world.store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    return statSync(t.world.store.path).size;
  };

  it('calls refused for their arguments still count against the calls window', () => {
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = t.world.invoke('eve', 'genesis_ledger', 'balance', { junk: 'x' });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    // eve's window holds 10 calls: the rest must be RATE_LIMITED, or refusals are a free, unmetered lane.
    expect(codes.filter((c) => c === 'RATE_LIMITED').length, codes.join(',')).toBeGreaterThanOrEqual(20);
  });

  it('a principal cannot grow the database far past its disk quota through refused calls', () => {
    const quota = (t.peek('genesis_rights', 'quotas', { principal: 'eve' }) as { disk: { quota: number } }).disk.quota;
    const before = bytes();
    // Under the 2 MiB MCP message limit; refused (max_args_bytes is 512 KiB) but logged.
    const junk = 'x'.repeat(1_900_000);
    for (let i = 0; i < 40; i++) t.world.invoke('eve', 'genesis_ledger', 'balance', { junk });
    const grown = bytes() - before;
    // Measured here: ~76 MB for 40 refused calls with a 10-call window and a 1 MB quota.
    expect(grown, `database grew ${(grown / 1e6).toFixed(1)} MB; eve's quota is ${(quota / 1e6).toFixed(1)} MB`).toBeLessThan(quota);
  });
});
