/**
 * Red team: stdio processes sharing the world file. The fair queue is per process; across processes
 * only SQLite's write lock orders commands, and a command holds it for its whole run (guest code,
 * nested calls and argument validation run inside BEGIN IMMEDIATE). A process waiting for the lock
 * sleeps in SQLite's busy handler, blocking its event loop, with no fairness: the holder re-takes the
 * lock at once after each commit. The bystander is a client of the HTTP host (`ecology serve`); the
 * attackers are `ecology stdio --as eveN` processes on the same file, as Claude Desktop would start them.
 *
 *   node --import tsx bench/redteam-stdio-lock.ts [--only loop1,loop3,validate] [--trials 3] [--seconds 12]
 *
 * loop1:    one stdio attacker calling a JS loop that runs to its 100 ms CPU budget (charged, within its
 *           cpu_ms allocation: the same load the stall bench shows the HTTP host absorbs).
 * loop3:    three such attackers, each its own principal and process.
 * validate: one stdio attacker calling artifact_invoke with 480 KB of arguments against a 32 KiB allOf
 *           schema (see redteam-host-work.ts): ~2.7 s per call with the lock held, never charged.
 */
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { BIN, arg, list, bystander, cleanup, connect, hammer, must, prepare, report, serve, sleep, stats, tally, type TrialRow } from './redteam-lib.ts';

const TRIALS = arg('trials', 3);
const SECONDS = arg('seconds', 12);
const only = list('only', ['loop1', 'loop3', 'validate']);

const BRANCH = { type: 'array', items: { type: 'number' } };
const AMP = { type: 'object', properties: { a: { allOf: [...Array.from({ length: 738 }, () => BRANCH), { type: 'array', maxItems: 1 }] } } };
const BIG = Array.from({ length: 240_000 }, () => 1);

async function stdio(db: string, principal: string): Promise<Client> {
  const c = new Client({ name: 'redteam-stdio', version: '1' }, { versionNegotiation: { mode: 'auto' as const } });
  await c.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'stdio', '--as', principal, '--db', db], stderr: 'ignore' }));
  return c;
}

async function main(): Promise<void> {
  const eves = ['eve0', 'eve1', 'eve2'];
  const p = await prepare(['bystander', 'author', ...eves], {}, (w) => {
    const iface = (name: string, inputSchema: object = { type: 'object' }) => [{ name, description: name, inputSchema, price: 0 }];
    must(w.invoke('author', 'genesis_store', 'write', { id: 'loop', can_execute: true, description: 'js loop', code: 'export function burn(){ let n = 0; for (;;) n++ }', interface: iface('burn') }), 'loop');
    // Mended: the interface is refused at write (schema node cap); the attack then meets NOT_FOUND.
    const amp = w.invoke('author', 'genesis_store', 'write', { id: 'amp', can_execute: true, description: 'amp', code: 'export function f(){ return 1 }', interface: iface('f', AMP) });
    if (!amp.ok) console.log(`validate: the amplifying interface is refused at write: ${amp.error.code}: ${amp.error.message}`);
  }, { bystander: { calls: 1_000_000 } });
  const srv = await serve(p.db);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const balance = () => by.callTool({ name: 'ledger_balance', arguments: {} });
    for (let i = 0; i < 50; i++) await balance();
    const attackers = await Promise.all(eves.map((e) => stdio(p.db, e)));
    const loop = (c: Client) => () => c.callTool({ name: 'artifact_invoke', arguments: { id: 'loop', method: 'burn', args: {} } });
    const scen: Record<string, (() => Promise<any>)[]> = {
      loop1: [loop(attackers[0]!)],
      loop3: attackers.map(loop),
      validate: [() => attackers[0]!.callTool({ name: 'artifact_invoke', arguments: { id: 'amp', method: 'f', args: { a: BIG } } })],
    };
    for (const name of only) {
      const rows: TrialRow[] = [];
      for (let t = 1; t <= TRIALS; t++) {
        const base = await bystander(balance, SECONDS / 2);
        const stop = { done: false };
        const seen: Record<string, number> = {};
        const loops = scen[name]!.map((f) => hammer(stop, seen, f));
        await sleep(300);
        const att = await bystander(balance, SECONDS);
        stop.done = true;
        await Promise.all(loops);
        rows.push({ trial: t, baseline: stats(base.latencies), attack: stats(att.latencies), note: `attackers: ${tally(seen)}; bystander errors ${att.errors}${att.sample ? ` (${att.sample})` : ''}` });
        if (name !== 'validate') await sleep(61_000); // let the cpu_ms windows refill
      }
      report(`${name}: stdio attacker process(es) on the world file; bystander over the HTTP host`, rows);
    }
    await Promise.all([by, ...attackers].map((c) => c.close()));
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
