/**
 * Red team: host-thread work a guest or a caller triggers that is not guest time, so neither the CPU
 * budget, the kill, nor the cpu_ms window bounds it. Each attack is one principal over one SDK client;
 * the bystander calls ledger_balance back to back. Baseline and attack alternate per trial on one server.
 *
 *   node --import tsx bench/redteam-host-work.ts [--only validate,compile,nested] [--trials 3] [--seconds 12]
 *
 * validate: artifact_invoke with 480 KB of arguments against an interface whose inputSchema is an
 *           allOf of ~740 copies of {type: array, items: {type: number}} (32 KiB): Ajv walks the whole
 *           array once per branch, in the host thread, inside the command's transaction. The last
 *           branch refuses the array, so the call ends INVALID_ARGS before the calls window is
 *           consumed: eve has the default allocation (600 calls a minute) and is never rate limited.
 * compile:  artifact_write with a fresh 32 KiB interface each time, refused right after Ajv compiled it
 *           (can_execute with no code): costs one call and no disk quota.
 * nested:   one command whose guest makes 199 nested genesis calls (store_search over 500 candidates);
 *           the host's time serving them is not guest time, so only the 2 s wall backstop stops it.
 */
import { arg, list, bystander, cleanup, connect, hammer, must, prepare, report, serve, sleep, stats, tally, type TrialRow } from './redteam-lib.ts';
import type { World } from '../src/world.ts';

const TRIALS = arg('trials', 3);
const SECONDS = arg('seconds', 12);
const only = list('only', ['validate', 'compile', 'nested']);

const BRANCH = { type: 'array', items: { type: 'number' } };
/** As many allOf branches as fit the 32 KiB interface limit. */
export const ALLOF_BRANCHES = 740;
export const allOfSchema = (salt = '', failLast = false) => ({
  type: 'object',
  ...(salt ? { description: salt } : {}),
  properties: { a: { allOf: [...Array.from({ length: ALLOF_BRANCHES - 1 }, () => BRANCH), failLast ? { type: 'array', maxItems: 1 } : BRANCH] } },
});
/** 480 KB of JSON: under max_args_bytes (512 KiB). */
const BIG_ARRAY = Array.from({ length: 240_000 }, () => 1);

const NESTED_CODE = `
export function noop() { return 1 }
export function spin(a) {
  let n = 0;
  for (let i = 0; i < 199; i++) {
    try { n += invoke('genesis_store', 'search', { limit: 100, sort: 'last_action' }).results.length } catch (e) { return n }
  }
  return n;
}`;

async function setup(w: World): Promise<void> {
  // Mended: the interface is refused at write (schema node cap); the attack then meets NOT_FOUND.
  const amp = w.invoke('eve', 'genesis_store', 'write', {
    id: 'amp',
    can_execute: true,
    description: 'validation amplifier',
    code: 'export function f(){ return 1 }',
    interface: [{ name: 'f', description: 'f', inputSchema: allOfSchema('', true), price: 0 }],
  });
  if (!amp.ok) console.log(`validate: the amplifying interface is refused at write: ${amp.error.code}: ${amp.error.message}`);
  must(
    w.invoke('mallory', 'genesis_store', 'write', {
      id: 'nest',
      can_execute: true,
      description: 'nested host work',
      code: NESTED_CODE,
      interface: [
        { name: 'spin', description: 's', inputSchema: { type: 'object' }, price: 0 },
        { name: 'noop', description: 'n', inputSchema: { type: 'object' }, price: 0 },
      ],
    }),
    'write nest',
  );
  // Enough private artifacts (of planter's) that each of mallory's searches examines 500 candidates and
  // returns none (so parsing results costs the guest nothing).
  for (let i = 0; i < 600; i++) must(w.invoke('planter', 'genesis_store', 'write', { id: `filler-${i}`, content: 'x', description: 'filler', access_contract_id: 'genesis_contract_private' }), 'filler');
}

async function main(): Promise<void> {
  // eve has the default allocation (600 calls, 20,000 cpu_ms a minute). The bystander gets plenty of
  // calls, so that only the attack, never its own window, slows it; so do planter (search filler) and
  // mallory, who runs the nested attack (199 calls a command), too: with the default window each principal
  // gets 3 nested commands a minute, so a continuous stall needs ~20 such principals.
  const big = { calls: 1_000_000, disk_bytes: 10_000_000 };
  const p = await prepare(['bystander', 'eve', 'mallory', 'planter'], {}, setup, { bystander: big, mallory: big, planter: big });
  const srv = await serve(p.db);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const eve = await connect(srv.url, p.tokens.get('eve')!);
    const mallory = await connect(srv.url, p.tokens.get('mallory')!);
    const balance = () => by.callTool({ name: 'ledger_balance', arguments: {} });
    for (let i = 0; i < 50; i++) await balance();
    let salt = 0;
    const attacks: Record<string, () => Promise<any>> = {
      validate: () => eve.callTool({ name: 'artifact_invoke', arguments: { id: 'amp', method: 'f', args: { a: BIG_ARRAY } } }),
      compile: () =>
        eve.callTool({
          name: 'artifact_write',
          arguments: { id: 'never', can_execute: true, code: '', description: 'x', interface: [{ name: 'f', description: 'f', inputSchema: allOfSchema(`v${salt++}`), price: 0 }] },
        }),
      nested: () => mallory.callTool({ name: 'artifact_invoke', arguments: { id: 'nest', method: 'spin', args: {} } }),
    };
    for (const name of only) {
      const rows: TrialRow[] = [];
      for (let t = 1; t <= TRIALS; t++) {
        const base = await bystander(balance, SECONDS / 2);
        const stop = { done: false };
        const seen: Record<string, number> = {};
        const t0 = performance.now();
        const loop = hammer(stop, seen, attacks[name]!);
        await sleep(300);
        const att = await bystander(balance, SECONDS);
        stop.done = true;
        await loop;
        const n = Object.values(seen).reduce((a, b) => a + b, 0);
        rows.push({ trial: t, baseline: stats(base.latencies), attack: stats(att.latencies), note: `attacker: ${tally(seen)}; ${((performance.now() - t0) / n).toFixed(0)} ms per attack call; bystander errors ${att.errors}${att.sample ? ` (${att.sample})` : ''}` });
      }
      report(`${name}: one attacker, one client, bystander ledger_balance`, rows);
    }
    await by.close();
    await eve.close();
    await mallory.close();
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
