import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/world.ts';
import { BIN, callOk, httpClient, stdioClient, tokenFor } from '../helpers/mcp.ts';
import { tempDir } from '../helpers/world.ts';

/** Starts `ecology serve` as its own process and resolves with its URL. */
function serveProcess(db: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(err);
      if (m) resolve({ url: m[0], child });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

describe('one world file, three processes', () => {
  it('an HTTP host and two stdio processes make 500 concurrent transfers; balances are exact and invariants hold', async () => {
    const { dir, cleanup } = tempDir();
    const db = join(dir, 'world.db');
    const setup = await World.open({ path: db, config: { principal_defaults: { calls: 100_000 } } });
    setup.createPrincipal('alice', { scrip: 1_000 });
    setup.createPrincipal('bob', { scrip: 1_000 });
    setup.createPrincipal('carol', { scrip: 1_000 });
    const token = tokenFor(setup, 'alice');
    await setup.close();

    const host = await serveProcess(db);
    const alice = await httpClient(host.url, token, 'modern');
    const bob = await stdioClient(db, 'bob', 'legacy');
    const carol = await stdioClient(db, 'carol', 'modern');
    try {
      const burst = (client: typeof alice, to: string, n: number, amount: number) =>
        Array.from({ length: n }, () => callOk(client, 'ledger_transfer', { to, amount }));
      const results = await Promise.allSettled([...burst(alice, 'bob', 200, 1), ...burst(bob, 'carol', 150, 2), ...burst(carol, 'alice', 150, 3)]);
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
      expect(results).toHaveLength(500);

      const bal = async (p: string) => (await callOk(alice, 'ledger_balance', { principal: p })).balances.scrip;
      expect(await bal('alice')).toBe(1_000 - 200 + 450);
      expect(await bal('bob')).toBe(1_000 + 200 - 300);
      expect(await bal('carol')).toBe(1_000 + 300 - 450);
    } finally {
      await alice.close();
      await bob.close();
      await carol.close();
      host.child.kill('SIGTERM');
      await new Promise((r) => host.child.once('exit', r));
    }
    const check = spawnSync(process.execPath, [BIN, 'check', '--db', db], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const report = JSON.parse(check.stdout);
    expect(report.summary.supply.scrip).toEqual({ issued: 3_000, burned: 0, held: 3_000 });
    expect(report.summary.commands).toBeGreaterThanOrEqual(500);
    cleanup();
  });
});
