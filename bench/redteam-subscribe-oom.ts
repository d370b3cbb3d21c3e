/**
 * Red team: 2025-era resources/subscribe as a memory bomb. A session may watch 1,000 URIs, but a URI
 * may be any string up to the 2 MiB message limit, and each is kept for the session's life (30 minutes
 * idle, renewed by any request). One principal holds 8 sessions: 8,000 x 2 MB = 16 GB of strings
 * against a ~4.3 GB heap. Subscribing is free: it is not a command and no window counts it.
 *
 *   node --import tsx bench/redteam-subscribe-oom.ts [--uri-mb 1.9] [--max-seconds 180]
 */
import { arg, cleanup, connect, prepare, serve, sleep } from './redteam-lib.ts';

const URI_MB = arg('uri-mb', 1.9);
const MAX_SECONDS = arg('max-seconds', 180);

async function main(): Promise<void> {
  const p = await prepare(['bystander', 'eve'], {}, undefined, { bystander: { calls: 1_000_000 } });
  const srv = await serve(p.db);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const sessions = await Promise.all(Array.from({ length: 8 }, () => connect(srv.url, p.tokens.get('eve')!, 'legacy')));
    const tail = 'x'.repeat(Math.floor(URI_MB * 1e6));
    let sent = 0;
    let refused = 0;
    let lastErr = '';
    const t0 = performance.now();
    const stop = { done: false };
    const loops = sessions.map(async (s, k) => {
      for (let i = 0; i < 1000 && !stop.done; i++) {
        try {
          await s.subscribeResource({ uri: `artifact://s${k}-${i}-${tail}` });
          sent++;
        } catch (e) {
          refused++;
          lastErr = (e as Error).message.slice(0, 120);
          if (srv.exited()) return;
        }
      }
    });
    let lastOk = 0;
    let peak = 0;
    let worst = 0;
    while (!srv.exited() && performance.now() - t0 < MAX_SECONDS * 1000 && sent + refused < 8000) {
      const s = performance.now();
      const ok = await Promise.race([by.callTool({ name: 'ledger_balance', arguments: {} }).then(() => true, () => false), sleep(5_000).then(() => null)]);
      const at = (performance.now() - t0) / 1000;
      if (ok) {
        lastOk = at;
        worst = Math.max(worst, performance.now() - s);
      }
      peak = Math.max(peak, srv.rssMb() || 0);
      console.log(`t=${at.toFixed(1)}s subscribed ${sent} (${((sent * URI_MB) / 1000).toFixed(1)} GB of URIs), refused ${refused}; server rss ${srv.rssMb().toFixed(0)} MB; bystander ${ok ? `${(performance.now() - s).toFixed(0)} ms` : ok === null ? 'no answer in 5 s' : 'failed'}`);
      await sleep(1_000);
    }
    stop.done = true;
    const ex = srv.exited();
    console.log(`\nafter ${((performance.now() - t0) / 1000).toFixed(0)} s: server ${ex ? `DIED (code ${ex.code}, signal ${ex.signal})` : `alive, rss ${srv.rssMb().toFixed(0)} MB`}; peak rss ${peak.toFixed(0)} MB`);
    console.log(`eve: ${sent} subscriptions accepted, ${refused} failed${lastErr ? ` (last: ${lastErr})` : ''}; bystander last answered at t=${lastOk.toFixed(1)} s, slowest answer ${worst.toFixed(0)} ms`);
    await Promise.race([Promise.all(loops), sleep(3_000)]);
    await Promise.all([by, ...sessions].map((c) => c.close().catch(() => {})));
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
