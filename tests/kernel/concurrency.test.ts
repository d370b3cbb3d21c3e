import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/world.ts';
import { tempDir } from '../helpers/world.ts';

const PROC = new URL('../helpers/transfer-proc.ts', import.meta.url).pathname;

function runProc(args: string[]): Promise<{ ok: number; insufficient: number; other: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROC, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`process exited ${code}: ${err}`))));
  });
}

describe('several processes on one world file', () => {
  it('1,000 concurrent transfers from 4 processes that together overdraw: exactly the affordable ones succeed', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'world.db');
      const setup = await World.open({ path: db, config: { principal_defaults: { scrip: 0, calls: 100_000 } } });
      expect(setup.createPrincipal('alice', { scrip: 300 }).ok).toBe(true);
      expect(setup.createPrincipal('bob').ok).toBe(true);
      await setup.close();

      const results = await Promise.all([0, 1, 2, 3].map(() => runProc([db, 'alice', 'bob', '250'])));
      const ok = results.reduce((n, r) => n + r.ok, 0);
      const insufficient = results.reduce((n, r) => n + r.insufficient, 0);
      expect(results.flatMap((r) => r.other)).toEqual([]);
      expect(ok).toBe(300);
      expect(insufficient).toBe(700);
      // More than one process did real work: the writers interleaved.
      expect(results.filter((r) => r.ok > 0).length).toBeGreaterThan(1);

      const check = await World.open({ path: db });
      const bal = (p: string) => (check.invoke('genesis_operator', 'genesis_ledger', 'balance', { principal: p }) as { value: { balances: { scrip: number } } }).value.balances.scrip;
      expect(bal('alice')).toBe(0);
      expect(bal('bob')).toBe(300);
      const report = check.check();
      expect(report.violations).toEqual([]);
      expect(report.summary.commands).toBeGreaterThanOrEqual(1000);
      await check.close();
    } finally {
      cleanup();
    }
  });
});
