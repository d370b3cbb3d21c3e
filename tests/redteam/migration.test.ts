/**
 * Red team: a world made before the namespace and obligations release (commit ac2b8bf^), opened by
 * this build. Migration 5 moves the services' records into their namespaces, but nothing counts the
 * debts and tasks already open in genesis_records' per-principal `open_` tallies.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../../src/world.ts';
import { VirtualClock } from '../../src/kernel/clock.ts';
import { tempDir } from '../helpers/world.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const OLD = 'ac2b8bf^';

const MAKE = `import { World } from './src/world.ts';
const w = await World.open({ path: process.argv[2] });
const must = (r) => { if (!r.ok) throw new Error(JSON.stringify(r.error)); return r.value; };
for (const p of ['dave', 'carol', 'eve']) must(w.createPrincipal(p));
// dave borrows 50 from carol, due in an hour.
must(w.invoke('dave', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 50 }));
const d = must(w.invoke('dave', 'genesis_store', 'invoke', { id: 'genesis_debt', method: 'issue', args: { creditor: 'carol', principal: 50, interest_bps_per_day: 0, due_in_s: 3600 } }));
must(w.invoke('carol', 'genesis_store', 'invoke', { id: 'genesis_debt', method: 'accept', args: { debt_id: d.id }, pay: 50 }));
console.log(JSON.stringify({ debt: d.id }));
await w.close();
`;

describe('red team: debts open before the upgrade are not obligations after it', () => {
  const tmp = tempDir();
  let db = '';
  let debt = '';
  beforeAll(() => {
    const tree = join(tmp.dir, 'old');
    mkdirSync(tree);
    execFileSync('sh', ['-c', `git -C "${REPO}" archive "${OLD}" | tar -x -C "${tree}"`]);
    symlinkSync(join(REPO, 'node_modules'), join(tree, 'node_modules'));
    writeFileSync(join(tree, 'make.ts'), MAKE);
    db = join(tmp.dir, 'world.db');
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'make.ts', db], { cwd: tree, encoding: 'utf8' });
    debt = (JSON.parse(out.trim().split('\n').at(-1)!) as { debt: string }).debt;
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('dave, owing carol 50 from before the upgrade, empties his account and deletes himself', async () => {
    const clock = new VirtualClock(Date.now());
    const world = await World.open({ path: db, clock });
    try {
      const ok = (caller: string, target: string, method: string, args: object) => {
        const r = world.invoke(caller, target, method, args);
        if (!r.ok) throw new Error(`${target}.${method} as ${caller}: ${r.error.code}: ${r.error.message}`);
        return r.value as any;
      };
      // The debt came through the migration, active, under its new id.
      const id = `genesis_debt.${debt}`;
      expect(ok('carol', 'genesis_store', 'invoke', { id: 'genesis_debt', method: 'check', args: { debt_id: id } })).toMatchObject({ debtor: 'dave', creditor: 'carol', status: 'active', owed: 50 });
      // Counted at open: the debts and tasks open before the services kept counts hold their parties too.
      expect(ok('dave', 'genesis_store', 'invoke', { id: 'genesis_debt', method: 'obligations', args: { principal: 'dave' } }).open).toBe(1);
      // dave passes everything to his friend eve and leaves.
      const bal = ok('dave', 'genesis_ledger', 'balance', {}).balances;
      ok('dave', 'genesis_ledger', 'transfer', { to: 'eve', amount: bal.scrip });
      ok('dave', 'genesis_rights', 'transfer', { to: 'eve', resource: 'llm_budget_micro_usd', amount: bal.llm_budget_micro_usd });
      const del = world.invoke('dave', 'genesis_store', 'delete', { id: 'dave' });
      console.log('dave deletes himself:', del.ok ? 'allowed' : del.error.message);
      const report = world.check();
      expect(report.violations).toEqual([]);
      // Safe: a principal with an open debt cannot be deleted, whenever the debt was made.
      expect(del.ok).toBe(false);
    } finally {
      await world.close();
    }
  });
});
