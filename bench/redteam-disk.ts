/**
 * Red team: the command log as free, unmetered storage, over the real HTTP host. eve (default
 * allocation: 600 calls a minute, 1 MB of disk) sends ledger_balance with a 1.9 MB junk argument over
 * a few clients. Each call is refused INVALID_ARGS before the calls window is consumed, and its whole
 * request text is written to the commands table. Reports the database growth rate and eve's windows.
 *
 *   node --import tsx bench/redteam-disk.ts [--seconds 20] [--clients 4]
 */
import { arg, bystander, cleanup, connect, dbBytes, hammer, prepare, serve, sleep, stats, tally, fmt } from './redteam-lib.ts';
import { World } from '../src/world.ts';

const SECONDS = arg('seconds', 20);
const CLIENTS = arg('clients', 4);

async function main(): Promise<void> {
  const p = await prepare(['bystander', 'eve'], {}, undefined, { bystander: { calls: 1_000_000 } });
  const srv = await serve(p.db);
  let eveQuota: unknown;
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const eves = await Promise.all(Array.from({ length: CLIENTS }, () => connect(srv.url, p.tokens.get('eve')!)));
    const junk = 'x'.repeat(1_900_000);
    const before = dbBytes(p.db);
    const stop = { done: false };
    const seen: Record<string, number> = {};
    const t0 = performance.now();
    const loops = eves.map((c) => hammer(stop, seen, () => c.callTool({ name: 'ledger_balance', arguments: { junk } })));
    await sleep(300);
    const att = await bystander(() => by.callTool({ name: 'ledger_balance', arguments: {} }), SECONDS);
    stop.done = true;
    await Promise.all(loops);
    const el = (performance.now() - t0) / 1000;
    const grown = dbBytes(p.db) - before;
    const q = await by.callTool({ name: 'rights_quotas', arguments: { principal: 'eve' } });
    eveQuota = q.structuredContent;
    console.log(`\neve over ${CLIENTS} clients for ${el.toFixed(0)} s: ${tally(seen)}`);
    console.log(`database (main + WAL) grew ${(grown / 1e6).toFixed(0)} MB = ${(grown / 1e6 / el).toFixed(1)} MB/s = ${((grown / el) * 3600 / 1e9).toFixed(0)} GB/hour`);
    const e = eveQuota as { disk: { quota: number; used: number }; rates: { calls: { allocation: number; used: number } } };
    console.log(`eve's disk quota ${e.disk.quota} bytes, used ${e.disk.used}; calls window: ${e.rates.calls.used} of ${e.rates.calls.allocation} used`);
    console.log(`bystander during the attack: ${fmt(stats(att.latencies))}`);
    await Promise.all([by, ...eves].map((c) => c.close()));
  } finally {
    await srv.stop();
    const w = await World.open({ path: p.db, sandbox: 'own' });
    const rows = w.store.one<{ n: number; bytes: number }>('SELECT COUNT(*) AS n, SUM(LENGTH(args)) AS bytes FROM commands WHERE principal = ?', 'eve');
    console.log(`commands table: ${rows?.n} rows of eve's holding ${((rows?.bytes ?? 0) / 1e6).toFixed(0)} MB of arguments; world.check(): ${w.check().ok ? 'ok' : 'VIOLATIONS'}`);
    await w.close();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
