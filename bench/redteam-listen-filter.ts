/**
 * Red team: 2026-era subscriptions/listen filters as a work multiplier outside the fair queue. Each
 * listen stream may carry any number of resource URIs (only the 2 MiB body bounds it: ~95,000), and
 * the SDK matches every change against every stream with Array.includes. The host's ArtifactWatcher
 * calls resourceUpdated for every changed artifact, on the main thread, charged to no one. So the cost
 * of each change is (all streams' filter lengths), and P attacker principals, each holding its 8
 * streams and changing artifacts at its allowed call rate, cost ~P^2.
 *
 *   node --import tsx bench/redteam-listen-filter.ts [--principals 4,8] [--trials 2] [--seconds 12]
 */
import type { Client } from '@modelcontextprotocol/client';
import { arg, list, bystander, cleanup, connect, hammer, prepare, report, serve, sleep, stats, tally, type TrialRow } from './redteam-lib.ts';

const TRIALS = arg('trials', 2);
const SECONDS = arg('seconds', 12);
const COUNTS = list('principals', ['4', '8']).map(Number);
const MAX = Math.max(...COUNTS);
const URIS = Array.from({ length: 95_000 }, (_, i) => `artifact://n${i}`);

async function main(): Promise<void> {
  const eves = Array.from({ length: MAX }, (_, i) => `eve${i}`);
  // Attackers keep the default calls allocation (600 a minute): each changes artifacts at ~10 a second.
  const p = await prepare(['bystander', ...eves], {}, undefined, { bystander: { calls: 1_000_000 } });
  const srv = await serve(p.db);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const balance = () => by.callTool({ name: 'ledger_balance', arguments: {} });
    for (let i = 0; i < 50; i++) await balance();
    const clients: Client[] = [];
    const streams: { close(): Promise<void> }[] = [];
    for (const e of eves) {
      const c = await connect(srv.url, p.tokens.get(e)!);
      clients.push(c);
      for (let k = 0; k < 8; k++) streams.push(await c.listen({ resourceSubscriptions: URIS }));
    }
    console.log(`${streams.length} listen streams of ${URIS.length} URIs each; server rss ${srv.rssMb().toFixed(0)} MB`);
    for (const count of COUNTS) {
      const rows: TrialRow[] = [];
      for (let t = 1; t <= TRIALS; t++) {
        const base = await bystander(balance, SECONDS / 2);
        const stop = { done: false };
        const seen: Record<string, number> = {};
        // Each attacker rewrites its own 20 small artifacts in turn, paced to its calls window (10 a second).
        const loops = clients.slice(0, count).map((c, i) => {
          let n = 0;
          return hammer(stop, seen, async () => {
            const r = await c.callTool({ name: 'artifact_write', arguments: { id: `e${i}-${n++ % 20}`, content: String(n) } });
            await sleep(100);
            return r;
          });
        });
        await sleep(500);
        const att = await bystander(balance, SECONDS);
        stop.done = true;
        await Promise.all(loops);
        rows.push({ trial: t, baseline: stats(base.latencies), attack: stats(att.latencies), note: `${count} principals x 8 streams; writes: ${tally(seen)}; bystander errors ${att.errors}${att.sample ? ` (${att.sample})` : ''}` });
        await sleep(60_000); // refill the calls windows
      }
      report(`${count} principals, each with 8 listen streams of ${URIS.length} URIs, changing artifacts at their allowed rate`, rows);
    }
    await Promise.all(streams.map((s) => s.close().catch(() => {})));
    await Promise.all([by, ...clients].map((c) => c.close()));
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
