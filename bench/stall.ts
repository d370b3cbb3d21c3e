/**
 * Issue 9, attack 6 ("one guest stalls the world"): a bystander's latency while attackers burn CPU.
 *
 * A real host (`ecology serve`, so startHttp in its own process, as deployed) serves one world. Each
 * attacker principal hammers an artifact over several concurrent SDK clients, using its whole cpu_ms
 * allocation (it backs off only when told RATE_LIMITED). One variant runs a native operation that the
 * cooperative CPU deadline cannot interrupt (`new Array(3e7).join('x')`), the other a JS loop that it
 * can. Meanwhile a bystander principal makes simple calls (ledger_balance) one after another. Its
 * latency is reported against the same bystander with no attackers, measured in the same run.
 *
 *   npm run bench -- --only stall [--stall-seconds 20 --attack-clients 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { World } from '../src/world.ts';
import { arg } from './args.ts';

const SECONDS = arg('stall-seconds', 20);
/** Concurrent clients per attacker: each attacker keeps a backlog in the host's queue. */
const ATTACK_CLIENTS = arg('attack-clients', 3);
/** The goal: 2.5x the default 100 ms CPU deadline. */
const GOAL_P99_MS = 250;
const BIN = new URL('../bin/ecology.mjs', import.meta.url).pathname;
const modern = { versionNegotiation: { mode: 'auto' as const } };

const HOGS = {
  native: "export function burn(){ return new Array(3e7).join('x').length }",
  loop: 'export function burn(){ let n = 0; for (;;) n++; }',
};
type Hog = keyof typeof HOGS;

interface Scenario {
  name: string;
  hog: Hog | null;
  attackers: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'baseline: no attackers', hog: null, attackers: 0 },
  { name: '1 attacker, native join', hog: 'native', attackers: 1 },
  { name: '3 attackers, native join', hog: 'native', attackers: 3 },
  { name: '1 attacker, JS loop', hog: 'loop', attackers: 1 },
  { name: '3 attackers, JS loop', hog: 'loop', attackers: 3 },
];

/** Diagnostic: how long a killed worker's successor takes to become ready (tsx, then QuickJS's WASM), each time. */
async function replacementTimes(world: World, n: number): Promise<number[]> {
  const full = world.sandbox.readyWorkers;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = world.invoke('author', 'hog_native', 'burn', {});
    if (r.ok || r.error.code !== 'TIMEOUT') throw new Error(`expected the native hog to be killed, got ${JSON.stringify(r)}`);
    const t0 = performance.now();
    while (world.sandbox.readyWorkers < full) await sleep(1);
    times.push(performance.now() - t0);
  }
  return times;
}

/** Sets up the world file: principals with tokens, and the two hog artifacts. Returns each principal's token. */
async function prepare(db: string): Promise<{ tokens: Map<string, string>; replacements: number[] }> {
  // calls are plentiful so that only cpu_ms (its default allocation) limits the attackers.
  const world = await World.open({ path: db, sandbox: 'own', config: { principal_defaults: { calls: 10_000_000 } } });
  const tokens = new Map<string, string>();
  const names = ['author', 'bystander', ...SCENARIOS.flatMap((s, i) => Array.from({ length: s.attackers }, (_, k) => `attacker_${i}_${k}`))];
  for (const p of names) {
    const c = world.createPrincipal(p);
    if (!c.ok) throw new Error(`cannot create ${p}: ${c.error.message}`);
    const t = world.invoke(world.operator, 'genesis_world', 'create_token', { principal: p });
    if (!t.ok) throw new Error(t.error.message);
    tokens.set(p, (t.value as { token: string }).token);
  }
  for (const [hog, code] of Object.entries(HOGS)) {
    const w = world.invoke('author', 'genesis_store', 'write', {
      id: `hog_${hog}`,
      can_execute: true,
      code,
      description: `burns CPU (${hog})`,
      interface: [{ name: 'burn', description: 'burns CPU', inputSchema: { type: 'object' }, price: 0 }],
    });
    if (!w.ok) throw new Error(w.error.message);
  }
  const replacements = await replacementTimes(world, 5);
  await world.close();
  return { tokens, replacements };
}

/** Starts `ecology serve` on a free port; resolves with its URL once it listens. */
function serve(db: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /at (http:\/\/\S+)/.exec(err);
      if (m) resolve({ url: m[1]!, proc });
    });
    proc.once('exit', (code) => reject(new Error(`ecology serve exited (${code}): ${err}`)));
  });
}

async function connect(url: string, token: string): Promise<Client> {
  const c = new Client({ name: 'stall-bench', version: '1' }, modern);
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcomes {
  [code: string]: number;
}

/** One attacker client: calls the hog back to back, backing off only as long as RATE_LIMITED says. */
async function hammer(c: Client, hog: Hog, stop: { done: boolean }, seen: Outcomes): Promise<void> {
  while (!stop.done) {
    const r = await c.callTool({ name: 'artifact_invoke', arguments: { id: `hog_${hog}`, method: 'burn', args: {} } });
    const e = (r.structuredContent as { error?: { code: string; retry_after_ms?: number } } | undefined)?.error;
    const code = r.isError ? (e?.code ?? 'ERROR') : 'ok';
    seen[code] = (seen[code] ?? 0) + 1;
    if (code === 'RATE_LIMITED') await sleep(Math.min(e?.retry_after_ms ?? 100, 1_000));
  }
}

interface Row {
  scenario: Scenario;
  latencies: number[];
  attacks: Outcomes;
}

async function measure(url: string, tokens: Map<string, string>, bystander: Client, s: Scenario, index: number): Promise<Row> {
  const stop = { done: false };
  const attacks: Outcomes = {};
  const clients: Client[] = [];
  for (let k = 0; k < s.attackers; k++) {
    const token = tokens.get(`attacker_${index}_${k}`)!;
    for (let j = 0; j < ATTACK_CLIENTS; j++) clients.push(await connect(url, token));
  }
  const loops = clients.map((c) => hammer(c, s.hog!, stop, attacks));
  if (s.attackers > 0) await sleep(1_000); // let the attackers build their backlog first
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1_000;
  while (performance.now() < end) {
    const t0 = performance.now();
    const r = await bystander.callTool({ name: 'ledger_balance', arguments: {} });
    latencies.push(performance.now() - t0);
    if (r.isError) throw new Error(`bystander call failed: ${JSON.stringify(r.structuredContent)}`);
  }
  stop.done = true;
  await Promise.all(loops);
  await Promise.all(clients.map((c) => c.close()));
  return { scenario: s, latencies, attacks };
}

const pct = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-stall-bench-'));
  const db = join(dir, 'world.db');
  const { tokens, replacements } = await prepare(db);
  const { url, proc } = await serve(db);
  const rows: Row[] = [];
  try {
    const bystander = await connect(url, tokens.get('bystander')!);
    for (let i = 0; i < 50; i++) await bystander.callTool({ name: 'ledger_balance', arguments: {} });
    for (const [i, s] of SCENARIOS.entries()) rows.push(await measure(url, tokens, bystander, s, i));
    await bystander.close();
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
  const world = await World.open({ path: db, sandbox: 'own' });
  const report = world.check();
  await world.close();
  rmSync(dir, { recursive: true, force: true });

  const base = [...rows[0]!.latencies].sort((a, b) => a - b);
  console.log(`\nagent-ecology stall bench (issue 9, attack 6): ${SECONDS}s per scenario, ${ATTACK_CLIENTS} clients per attacker, Streamable HTTP, node ${process.version}\n`);
  console.log('| scenario | bystander calls | p50 ms | p99 ms | max ms | p99 / baseline p99 | p99 < 250 ms | attacker answers |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const l = [...r.latencies].sort((a, b) => a - b);
    const p99 = pct(l, 99);
    const answers = Object.entries(r.attacks).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
    console.log(
      `| ${r.scenario.name} | ${l.length} | ${pct(l, 50).toFixed(1)} | ${p99.toFixed(1)} | ${l.at(-1)!.toFixed(1)} | ${(p99 / pct(base, 99)).toFixed(1)} | ${p99 < GOAL_P99_MS ? 'yes' : 'NO'} | ${answers} |`,
    );
  }
  console.log(`\ntarget: with attackers, the bystander's p99 stays under ${GOAL_P99_MS} ms (2.5x the default 100 ms CPU deadline)`);
  const sorted = [...replacements].sort((a, b) => a - b);
  console.log(`diagnostic: a killed worker's successor is ready after ${sorted.map((t) => t.toFixed(0)).join(', ')} ms (median ${pct(sorted, 50).toFixed(0)}); meanwhile the spare serves`);
  if (!report.ok) {
    console.error('invariants violated after the bench:', report.violations);
    process.exitCode = 1;
  }
}

export const stallBench = main;
if (import.meta.url === `file://${process.argv[1]}`) await main();
