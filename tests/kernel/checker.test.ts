import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/kernel/checker.ts';
import { MIGRATIONS } from '../../src/kernel/db/migrations.ts';
import { openTestWorld, tempDir } from '../helpers/world.ts';

const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;

/** Each tampering bypasses the kernel; the checker must name the broken invariant. */
const TAMPERS: [string, string[], RegExp][] = [
  ['a balance changed without a journal row', ["UPDATE accounts SET balance = balance + 1 WHERE principal = 'alice' AND asset = 'scrip'"], /conservation: scrip.*journal disagrees with balance: alice scrip/s],
  ['a negative balance', ["PRAGMA ignore_check_constraints = 1", "UPDATE accounts SET balance = -5 WHERE principal = 'bob' AND asset = 'scrip'"], /negative balance: bob scrip = -5/],
  ['an orphan account', ["INSERT INTO accounts (principal, asset, balance) VALUES ('ghost', 'scrip', 0)"], /account without a principal: ghost/],
  ['an artifact owned by a non-principal', ["UPDATE artifacts SET owner = 'note' WHERE id = 'note'"], /artifact without an owner principal: note/],
  ['disk usage out of step', ["UPDATE principals SET disk_used = disk_used + 7 WHERE id = 'alice'"], /disk usage disagrees with artifact sizes: alice/],
  ['an executable tombstone', ["UPDATE artifacts SET deleted_at = 1, deleted_by = 'alice', can_execute = 1 WHERE id = 'tool'"], /executable tombstone: tool/],
  ['rate usage out of step with its log', ["UPDATE rate_usage SET used = used + 3 WHERE principal = 'alice' AND resource = 'calls'"], /rate usage disagrees with its log: alice calls/],
  ['standing without a principal row', ["UPDATE artifacts SET has_standing = 1 WHERE id = 'note'"], /standing mismatch: note/],
  ['a listed artifact released behind escrow\'s back', ["UPDATE artifacts SET listing = NULL WHERE id = 'tool'"], /escrow custody: tool is locked by listing none but its active listing is lst_/],
  ['an artifact locked with no listing', ["UPDATE artifacts SET listing = 'lst_forged' WHERE id = 'note'"], /escrow custody: note is locked by listing lst_forged but its active listing is none/],
  ['a mint bid vanishing with its scrip still held', ["DELETE FROM mint_bids"], /mint custody: genesis_mint holds 4 scrip but live bids and pending prices come to 0/],
  ['an allowance to oneself', ["INSERT INTO allowances (approver, spender, amount, expires_at, created_at) VALUES ('bob', 'bob', 5, NULL, 0)"], /allowance out of range: bob -> bob: 5/],
];

async function seeded(path: string) {
  const t = await openTestWorld({ path, principals: ['alice', 'bob'] });
  t.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 5 });
  t.ok('alice', 'genesis_store', 'write', { id: 'note', content: 'hello' });
  t.ok('alice', 'genesis_store', 'write', { id: 'tool', can_execute: true, code: 'export function f(){ return 1 }', interface: [{ name: 'f', description: '', inputSchema: { type: 'object' }, price: 1 }] });
  t.ok('bob', 'tool', 'f', {});
  t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'tool', amount: 4 });
  t.ok('alice', 'genesis_escrow', 'list', { artifact_id: 'tool', price: 9 });
  return t;
}

describe('invariant checker', () => {
  it.each(TAMPERS)('detects %s', async (_l, sql, expected) => {
    const t = await seeded(':memory:');
    try {
      expect(t.world.check().violations).toEqual([]);
      for (const s of sql) t.world.store.db.exec(s);
      const report = checkInvariants(t.world.store);
      expect(report.ok).toBe(false);
      expect(report.violations.join('\n')).toMatch(expected);
    } finally {
      await t.world.close();
    }
  });

  it('`ecology check --db` prints a JSON report and exits 0 clean, 1 on a violation, 2 on no world', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      const t = await seeded(db);
      await t.world.close();
      const clean = JSON.parse(execFileSync(process.execPath, [BIN, 'check', '--db', db], { encoding: 'utf8' }));
      expect(clean).toMatchObject({ ok: true, violations: [], summary: { principals: 10, schema_version: MIGRATIONS.length } });
      expect(clean.summary.supply.scrip).toEqual({ issued: 200, burned: 0, held: 200 });

      const t2 = await openTestWorld({ path: db });
      t2.world.store.db.exec("UPDATE accounts SET balance = balance + 1 WHERE principal = 'bob' AND asset = 'scrip'");
      await t2.world.close();
      const bad = spawnSync(process.execPath, [BIN, 'check', '--db', db], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(JSON.parse(bad.stdout).violations.length).toBeGreaterThan(0);

      const none = spawnSync(process.execPath, [BIN, 'check', '--db', join(dir, 'missing.db')], { encoding: 'utf8' });
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/no database/);
    } finally {
      cleanup();
    }
  });
});
