/**
 * Red team: many principals, each far inside its allocation. Each attacker principal calls a JS loop
 * that runs to its 100 ms CPU budget once every PERIOD seconds (about 1 s of its 20 s cpu_ms a minute),
 * so its fair-queue usage has decayed to nothing whenever it asks: it always goes before a bystander
 * that keeps calling. Together they keep the host busy, and allocations do not partition the host's
 * capacity, so the bystander waits out whole busy periods.
 *
 *   node --import tsx bench/redteam-many-principals.ts [--principals 30,60] [--period 7] [--trials 2] [--seconds 15] [--pace-ms 0]
 *
 * --pace-ms N: the bystander waits N ms between calls (not counted in its latency; 0: back to back, as
 * in the stall bench). A paced bystander, like an agent, does not pile up cheap calls between stalls.
 */
import type { Client } from '@modelcontextprotocol/client';
import { arg, list, bystander, cleanup, connect, must, prepare, report, serve, sleep, stats, tally, type TrialRow } from './redteam-lib.ts';

const TRIALS = arg('trials', 2);
const SECONDS = arg('seconds', 15);
const PERIOD_S = arg('period', 7);
const PACE_MS = arg('pace-ms', 0);
const COUNTS = list('principals', ['30', '60']).map(Number);
const MAX = Math.max(...COUNTS);

async function main(): Promise<void> {
  const eves = Array.from({ length: MAX }, (_, i) => `eve${i}`);
  const p = await prepare(['bystander', 'author', ...eves], {}, (w) => {
    must(w.invoke('author', 'genesis_store', 'write', { id: 'loop', can_execute: true, description: 'js loop', code: 'export function burn(){ let n = 0; for (;;) n++ }', interface: [{ name: 'burn', description: 'b', inputSchema: { type: 'object' }, price: 0 }] }), 'loop');
  }, { bystander: { calls: 1_000_000 } });
  const srv = await serve(p.db);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const balance = () => by.callTool({ name: 'ledger_balance', arguments: {} });
    for (let i = 0; i < 50; i++) await balance();
    const clients: Client[] = [];
    for (const e of eves) clients.push(await connect(srv.url, p.tokens.get(e)!));
    for (const count of COUNTS) {
      const rows: TrialRow[] = [];
      for (let t = 1; t <= TRIALS; t++) {
        const base = await bystander(balance, SECONDS / 2, PACE_MS);
        const stop = { done: false };
        const seen: Record<string, number> = {};
        const loops = clients.slice(0, count).map(async (c) => {
          await sleep(Math.random() * PERIOD_S * 1000);
          while (!stop.done) {
            const t0 = performance.now();
            const r = await c.callTool({ name: 'artifact_invoke', arguments: { id: 'loop', method: 'burn', args: {} } });
            const code = r.isError ? ((r.structuredContent as { error?: { code: string } })?.error?.code ?? 'ERROR') : 'ok';
            seen[code] = (seen[code] ?? 0) + 1;
            await sleep(Math.max(0, PERIOD_S * 1000 - (performance.now() - t0)));
          }
        });
        await sleep(PERIOD_S * 1000);
        const att = await bystander(balance, SECONDS, PACE_MS);
        stop.done = true;
        await Promise.all(loops);
        rows.push({ trial: t, baseline: stats(base.latencies), attack: stats(att.latencies), note: `each attacker 1 call / ${PERIOD_S} s; attacker answers ${tally(seen)}; bystander errors ${att.errors}` });
      }
      report(`${count} principals, each one 100 ms JS loop every ${PERIOD_S} s (≈${((count * 0.11) / PERIOD_S).toFixed(2)} of the host); bystander ${PACE_MS ? `paced ${PACE_MS} ms` : 'back to back'}`, rows);
    }
    await Promise.all([by, ...clients].map((c) => c.close()));
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
