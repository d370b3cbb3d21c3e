/**
 * Red team: keep the sandbox workers booting. Each attacker principal calls a native hog that the
 * host must kill (budget + grace), over 3 clients, until its cpu_ms window says RATE_LIMITED. Every
 * kill starts a new worker (~175 ms of CPU to boot QuickJS's WASM, on a 2-core machine shared with
 * the host thread and the running guest). The bystander here needs the sandbox: it calls a trivial
 * code artifact (echo), so it waits for a ready worker whenever the kills have used them all up.
 * A second bystander column calls ledger_balance (no sandbox) for comparison.
 *
 *   node --import tsx bench/redteam-worker-churn.ts [--attackers 1,3,6] [--trials 3] [--seconds 12]
 */
import { arg, list, bystander, cleanup, connect, hammer, must, prepare, report, serve, sleep, stats, tally, type TrialRow } from './redteam-lib.ts';
import type { Client } from '@modelcontextprotocol/client';

const TRIALS = arg('trials', 3);
const SECONDS = arg('seconds', 12);
const ATTACK_CLIENTS = 3;
const COUNTS = list('attackers', ['1', '3', '6']).map(Number);
const MAX = Math.max(...COUNTS);

async function main(): Promise<void> {
  const attackers = Array.from({ length: MAX }, (_, i) => `eve${i}`);
  // Attackers get the default cpu_ms (20,000 ms a minute): they spend exactly their allocation.
  const p = await prepare(['bystander', 'author', ...attackers], { principal_defaults: { calls: 1_000_000 } }, (w) => {
    const iface = (name: string) => [{ name, description: name, inputSchema: { type: 'object' }, price: 0 }];
    must(w.invoke('author', 'genesis_store', 'write', { id: 'hog', can_execute: true, description: 'native hog', code: "export function burn(){ return new Array(3e7).join('x').length }", interface: iface('burn') }), 'hog');
    must(w.invoke('author', 'genesis_store', 'write', { id: 'echo', can_execute: true, description: 'echo', code: 'export function f(a){ return a }', interface: iface('f') }), 'echo');
  });
  const srv = await serve(p.db);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const echo = () => by.callTool({ name: 'artifact_invoke', arguments: { id: 'echo', method: 'f', args: { x: 1 } } });
    for (let i = 0; i < 50; i++) await echo();
    const clients: Client[][] = [];
    for (const a of attackers) clients.push(await Promise.all(Array.from({ length: ATTACK_CLIENTS }, () => connect(srv.url, p.tokens.get(a)!))));
    for (const count of COUNTS) {
      const rows: TrialRow[] = [];
      for (let t = 1; t <= TRIALS; t++) {
        // A fresh set of attackers for every trial would need fresh windows; instead wait out the window.
        const base = await bystander(echo, SECONDS / 2);
        const stop = { done: false };
        const seen: Record<string, number> = {};
        const loops = clients.slice(0, count).flat().map((c) => hammer(stop, seen, () => c.callTool({ name: 'artifact_invoke', arguments: { id: 'hog', method: 'burn', args: {} } })));
        await sleep(500);
        const att = await bystander(echo, SECONDS);
        stop.done = true;
        await Promise.all(loops);
        rows.push({ trial: t, baseline: stats(base.latencies), attack: stats(att.latencies), note: `attackers: ${tally(seen)}; bystander errors ${att.errors}${att.sample ? ` (${att.sample})` : ''}` });
        // Let the attackers' cpu_ms windows recover before the next trial.
        await sleep(61_000 * (seen.RATE_LIMITED ? 1 : 0));
      }
      report(`${count} attacker(s) x ${ATTACK_CLIENTS} clients killing workers; bystander invokes a trivial code artifact`, rows);
    }
    await Promise.all([by, ...clients.flat()].map((c) => c.close()));
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
