/**
 * Red team: one principal runs the server out of memory. It sends N concurrent tools/call requests,
 * each a 2 MB body (under the 2 MiB limit) of `{"a":[{},{},…]}` (~690k empty objects). Each parsed
 * body costs the host ~25 MB of heap, held while the request waits: the body is parsed and kept before
 * any queue or window applies (limits.max_queued_per_principal bounds only queued commands; the
 * refusal for max_args_bytes comes only when the command runs, after canonicalising the arguments).
 * Nothing is charged: the calls are refused INVALID_ARGS before the calls window is consumed.
 *
 * A bystander probes ledger_balance every 500 ms; the bench reports the server's RSS, the bystander's
 * latencies, and how the server ended.
 *
 *   node --import tsx bench/redteam-oom.ts [--requests 300] [--max-seconds 300] [--heap-mb 0 (server default)]
 */
import { arg, cleanup, connect, prepare, serve, sleep } from './redteam-lib.ts';

const REQUESTS = arg('requests', 300);
const MAX_SECONDS = arg('max-seconds', 300);
const HEAP_MB = arg('heap-mb', 0);

async function main(): Promise<void> {
  const p = await prepare(['bystander', 'eve'], {}, undefined, { bystander: { calls: 1_000_000 } });
  const srv = await serve(p.db, HEAP_MB ? { nodeArgs: [`--max-old-space-size=${HEAP_MB}`] } : {});
  const log = (s: string) => console.log(s);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    for (let i = 0; i < 20; i++) await by.callTool({ name: 'ledger_balance', arguments: {} });
    // One arguments object, sent N times through one SDK client (2026-07-28 tools/call).
    const args = { a: Array.from({ length: 690_000 }, () => ({})) };
    log(`eve sends ${REQUESTS} concurrent tools/call requests of ${(JSON.stringify(args).length / 1e6).toFixed(2)} MB each (limit 2 MiB)`);
    const eve = await connect(srv.url, p.tokens.get('eve')!);
    const outcomes: Record<string, number> = {};
    const t0 = performance.now();
    const attack = Array.from({ length: REQUESTS }, async () => {
      let k: string;
      try {
        const r = await eve.callTool({ name: 'ledger_balance', arguments: args }, { timeout: MAX_SECONDS * 1000 });
        k = r.isError ? ((r.structuredContent as { error?: { code: string } })?.error?.code ?? 'error') : 'ok';
      } catch (e) {
        k = `threw: ${(e as Error).message.slice(0, 40)}`;
      }
      outcomes[k] = (outcomes[k] ?? 0) + 1;
    });
    const probes: { at: number; ms: number | null }[] = [];
    let peak = 0;
    let lastOk = 0;
    while (!srv.exited() && performance.now() - t0 < MAX_SECONDS * 1000 && Object.values(outcomes).reduce((a, b) => a + b, 0) < REQUESTS) {
      const s = performance.now();
      const ok = await Promise.race([by.callTool({ name: 'ledger_balance', arguments: {} }).then(() => true, () => false), sleep(5_000).then(() => null)]);
      const at = (s - t0) / 1000;
      probes.push({ at, ms: ok ? performance.now() - s : null });
      if (ok) lastOk = at;
      peak = Math.max(peak, srv.rssMb() || 0);
      if (probes.length % 10 === 1) log(`t=${at.toFixed(1)}s server rss=${srv.rssMb().toFixed(0)} MB, bystander ${ok ? `${(performance.now() - s).toFixed(0)} ms` : ok === null ? 'no answer in 5 s' : 'failed'}`);
      await sleep(500);
    }
    const end = (performance.now() - t0) / 1000;
    const ex = srv.exited();
    await Promise.race([Promise.all(attack), sleep(2_000)]);
    log(`\nafter ${end.toFixed(0)} s: server ${ex ? `DIED (code ${ex.code}, signal ${ex.signal})` : `alive, rss ${srv.rssMb().toFixed(0)} MB`}; peak rss ${peak.toFixed(0)} MB`);
    log(`bystander: last answer at t=${lastOk.toFixed(1)} s; ${probes.filter((x) => x.ms === null).length} of ${probes.length} probes unanswered within 5 s`);
    log(`eve's requests: ${JSON.stringify(outcomes)}`);
    await by.close().catch(() => {});
    await eve.close().catch(() => {});
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
