/**
 * `npm run bench:attacks [-- --traps 1,5 --contract spin|native --max-searches 500 --mcp-searches 20 --batches 51 --writes 199 --no-mcp]`
 *
 * Measures two attacks found by the adversarial review, so a fix can be judged by the same numbers:
 *
 *   Attack 7, search trap: eve plants artifacts that match "calculator" under a code contract that spins
 *   until its CPU deadline; a victim who searches pays for eve's contracts in time and cpu_ms.
 *   Attack 8, storage by amplification: one top-level call of eve's code makes up to `writes` nested
 *   genesis_store.write calls, so eve fills the database while her own quota and call window barely move.
 *
 * A diagnostic, not a test: it prints figures and never fails on them. It uses only public behaviour
 * (World.open, createPrincipal, invoke, the genesis tools, the MCP handler), so it keeps working after
 * the fixes land; every refusal (a rate limit, a quota, a denied write) is reported as an outcome.
 * Each scenario gets a fresh file-backed world with the default config, so windows and file sizes
 * start clean and database growth is real bytes on disk. The one exception is the 'auditor' principal
 * that reads everyone's windows: it gets a large calls allocation so its reads never run out.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { World } from '../src/world.ts';
import { worldHandler } from '../src/mcp/http.ts';
import { connectInProcess } from '../src/mcp/inprocess.ts';
import { worldStatus } from '../src/mcp/resources.ts';
import type { InvokeResult } from '../src/kernel/kernel.ts';
import { text } from './args.ts';

const argAt = (name: string): string | undefined => text(name, '') || undefined;
const num = (name: string, def: number): number => {
  const v = argAt(name);
  const n = v === undefined ? def : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} needs a whole number, got ${v}`);
  return n;
};
// The victim keeps searching until refused, so the script reports when (not whether) the window fills.
const MAX_SEARCHES = num('max-searches', 500);
const MCP_SEARCHES = num('mcp-searches', 20);
const CONTROL_SEARCHES = 5;
// One trap is the minimal attack; several show how the cost scales with what eve plants.
const TRAPS = (argAt('traps') ?? '1,5').split(',').map((s) => {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--traps needs whole numbers of at least 1, got ${s}`);
  return n;
});
const BATCHES = num('batches', 51);
const WRITES = num('writes', 199);
const MCP = !process.argv.includes('--no-mcp');

// ---- helpers ----------------------------------------------------------------------------------------

interface Rate {
  allocation: number;
  used: number;
  remaining: number;
  window_ms: number;
}
interface Quotas {
  disk: { quota: number; used: number; available: number };
  rates: { calls: Rate; cpu_ms: Rate; llm_tokens: Rate };
}

const dirs: string[] = [];

async function freshWorld(principals: string[]): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-attacks-'));
  dirs.push(dir);
  // 'own' sandbox: a contract that spins, or a killed worker, must not outlive its scenario's world.
  const world = await World.open({ path: join(dir, 'world.db'), sandbox: 'own' });
  for (const p of principals) must(world.createPrincipal(p), `create principal ${p}`);
  // The auditor reads windows twice per measured call; its own window must never be what runs out.
  must(world.createPrincipal('auditor', { calls: 100_000_000 }), 'create principal auditor');
  return world;
}

/** Setup steps must succeed; the attacks themselves never go through here. */
function must(r: InvokeResult, what: string): unknown {
  if (!r.ok) throw new Error(`${what} failed: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const describe = (r: InvokeResult): string => (r.ok ? 'ok' : `${r.error.code}${r.error.retry_after_ms === undefined ? '' : ` (retry_after_ms ${r.error.retry_after_ms})`}: ${r.error.message}`);

/**
 * Someone's quotas and windows, read by a separate auditor principal so the reading itself is never
 * counted in the window being measured. Null if the world refuses (the figure is then reported missing).
 */
function quotas(world: World, auditor: string, principal: string): Quotas | null {
  const r = world.invoke(auditor, 'genesis_rights', 'quotas', { principal });
  return r.ok ? (r.value as Quotas) : null;
}

const delta = (before: Quotas | null, after: Quotas | null, pick: (q: Quotas) => number): number | null => (before && after ? pick(after) - pick(before) : null);

/**
 * Database bytes on disk, main file plus WAL. With `checkpoint`, the WAL is folded back first so the
 * figure is stable (a WAL keeps its size after a checkpoint until it is truncated).
 */
function dbBytes(world: World, checkpoint = true): { main: number; wal: number; total: number } {
  if (checkpoint) world.store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  const main = size(world.store.path);
  const wal = size(`${world.store.path}-wal`);
  return { main, wal, total: main + wal };
}

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (x: number | null) => (x === null || Number.isNaN(x) ? 'n/a' : `${x.toFixed(1)} ms`);
const figure = (x: number | null) => (x === null ? 'n/a (window unreadable)' : String(x));
const line = (label: string, value: string) => console.log(`  ${label.padEnd(48)} ${value}`);

// ---- attack 7: search trap --------------------------------------------------------------------------

/**
 * The trap's contract. 'spin' is the review's attack: a loop the CPU deadline interrupts. 'native' spends
 * its time inside a native builtin (sorting a large array), which the cooperative deadline cannot
 * interrupt, so it overruns until the builtin returns or the hard kill fires.
 */
const CONTRACTS: Record<string, string> = {
  spin: 'export function check_permission(req) { for (;;) {} }',
  native: 'export function check_permission(req) { const a = new Array(3e6).fill(0).map((_, i) => (i * 7919) % 1000003); for (;;) a.sort(); }',
};
const CONTRACT = argAt('contract') ?? 'spin';
if (!(CONTRACT in CONTRACTS)) throw new Error(`--contract must be one of ${Object.keys(CONTRACTS).join(', ')}`);

interface SearchRow {
  latencyMs: number;
  cpuCharged: number | null;
  callsCharged: number | null;
  ok: boolean;
  results: number;
  honestFound: boolean;
  trapsShown: number;
  error?: string;
  code?: string;
  resource?: string;
  retryAfterMs?: number;
}

/** One search as `who`, with what it cost `who`'s windows (read before and after by the auditor). */
function searchOnce(world: World, who: string, trapSet: Set<string>): SearchRow {
  const before = quotas(world, 'auditor', who);
  const t0 = performance.now();
  const r = world.invoke(who, 'genesis_store', 'search', { query: 'calculator' });
  const latencyMs = performance.now() - t0;
  const after = quotas(world, 'auditor', who);
  const row: SearchRow = {
    latencyMs,
    cpuCharged: delta(before, after, (q) => q.rates.cpu_ms.used),
    callsCharged: delta(before, after, (q) => q.rates.calls.used),
    ok: r.ok,
    results: 0,
    honestFound: false,
    trapsShown: 0,
  };
  if (r.ok) {
    const ids = (r.value as { results: { id: string }[] }).results.map((x) => x.id);
    row.results = ids.length;
    row.honestFound = ids.includes('bob-calculator');
    row.trapsShown = ids.filter((id) => trapSet.has(id)).length;
  } else {
    row.error = describe(r);
    row.code = r.error.code;
    row.resource = String(r.error.details.resource ?? '');
    if (r.error.retry_after_ms !== undefined) row.retryAfterMs = r.error.retry_after_ms;
  }
  return row;
}

async function attack7(traps: number): Promise<void> {
  console.log(`\n== Attack 7: search trap, ${traps} trap artifact(s), contract '${CONTRACT}' ==`);
  const world = await freshWorld(['eve', 'alice', 'bob', 'carol']);
  try {
    // An honest match, so we can tell whether the victim still finds what she was looking for.
    must(world.invoke('bob', 'genesis_store', 'write', { id: 'bob-calculator', description: 'calculator: adds two numbers', content: 'honest' }), 'bob writes the honest calculator');
    // Control: the same search before any trap exists, so the traps' share of the cost is visible.
    const control: SearchRow[] = [];
    for (let i = 0; i < CONTROL_SEARCHES; i++) control.push(searchOnce(world, 'bob', new Set()));
    must(world.invoke('eve', 'genesis_store', 'write', { id: 'spin-gate', kind: 'contract', description: 'access policy', code: CONTRACTS[CONTRACT] }), 'eve writes the spinning contract');
    const trapIds: string[] = [];
    for (let i = 0; i < traps; i++) {
      const id = i === 0 ? 'calculator' : `calculator-pro-${i}`;
      must(world.invoke('eve', 'genesis_store', 'write', { id, description: 'calculator: the best calculator, adds and multiplies', content: 'x', access_contract_id: 'spin-gate' }), `eve plants ${id}`);
      trapIds.push(id);
    }
    const trapSet = new Set(trapIds);
    const eve = quotas(world, 'auditor', 'eve');
    // The attacker's side of the trade: what planting cost eve, once, against what each victim search costs.
    line('attacker eve after planting', eve ? `calls used ${eve.rates.calls.used}, cpu_ms used ${eve.rates.cpu_ms.used}, disk used ${eve.disk.used} bytes` : 'n/a');
    reportSearches(`control: bob, same search before the traps (${CONTROL_SEARCHES}x)`, control, null, false);
    const rows: SearchRow[] = [];
    const eveBefore = quotas(world, 'auditor', 'eve');
    const t0 = performance.now();
    for (let i = 0; i < MAX_SEARCHES; i++) {
      const row = searchOnce(world, 'alice', trapSet);
      rows.push(row);
      if (row.code === 'RATE_LIMITED') break;
    }
    const elapsed = performance.now() - t0;
    reportSearches(`victim alice: genesis_store.search {query: "calculator"} until refused (max ${MAX_SEARCHES}), first 20`, rows.slice(0, 20), null, false);
    reportSearches(`victim alice: all ${rows.length} searches, ${(elapsed / 1000).toFixed(1)} s`, rows, quotas(world, 'auditor', 'alice'), true);
    // A fix may bill the contract's owner instead of the searcher; this shows whether eve now pays.
    line('cpu_ms charged to eve during these searches', figure(delta(eveBefore, quotas(world, 'auditor', 'eve'), (q) => q.rates.cpu_ms.used)));
    if (MCP) await mcpSearches(world, trapSet);
  } finally {
    await world.close();
  }
}

function reportSearches(title: string, rows: SearchRow[], final: Quotas | null, refusals: boolean): void {
  console.log(`  -- ${title}`);
  const lat = rows.map((r) => r.latencyMs);
  const cpu = rows.map((r) => r.cpuCharged).filter((x): x is number => x !== null);
  const okRows = rows.filter((r) => r.ok);
  line('searches', `${rows.length} (${okRows.length} succeeded)`);
  line('wall-clock latency p50 / max', `${ms(quantile(lat, 0.5))} / ${ms(lat.length ? Math.max(...lat) : NaN)}`);
  line('cpu_ms charged per search p50 / max', cpu.length ? `${quantile(cpu, 0.5)} / ${Math.max(...cpu)}` : 'n/a');
  line('cpu_ms charged in total', cpu.length ? String(cpu.reduce((a, b) => a + b, 0)) : 'n/a');
  line('calls charged per search (max)', rows.some((r) => r.callsCharged !== null) ? String(Math.max(...rows.map((r) => r.callsCharged ?? 0))) : 'n/a');
  line('results per successful search min / max', okRows.length ? `${Math.min(...okRows.map((r) => r.results))} / ${Math.max(...okRows.map((r) => r.results))}` : 'n/a');
  line('honest calculator found in', `${okRows.filter((r) => r.honestFound).length} of ${okRows.length} successful searches`);
  line('trap artifacts shown (max)', okRows.length ? String(Math.max(...okRows.map((r) => r.trapsShown))) : 'n/a');
  if (!refusals) return;
  const firstRefusal = rows.findIndex((r) => r.code === 'RATE_LIMITED');
  if (firstRefusal >= 0) {
    const r = rows[firstRefusal]!;
    line('RATE_LIMITED at search #', `${firstRefusal + 1} (resource ${r.resource || 'n/a'}, retry_after_ms ${r.retryAfterMs ?? 'n/a'})`);
  } else {
    line('RATE_LIMITED', `not within ${rows.length} searches`);
  }
  const other = rows.filter((r) => !r.ok && r.code !== 'RATE_LIMITED');
  if (other.length) line('other failures', `${other.length}, first: ${other[0]!.error}`);
  if (final) line('window after', `cpu_ms used ${final.rates.cpu_ms.used}/${final.rates.cpu_ms.allocation}, calls used ${final.rates.calls.used}/${final.rates.calls.allocation}`);
}

/** The same victim searches as an MCP client sees them: resources/list runs a search as carol. */
async function mcpSearches(world: World, trapSet: Set<string>): Promise<void> {
  const handler = worldHandler(world);
  let client: Client | undefined;
  try {
    client = await connectInProcess(handler, 'carol');
    const rows: SearchRow[] = [];
    for (let i = 0; i < MCP_SEARCHES; i++) {
      const before = quotas(world, 'auditor', 'carol');
      const t0 = performance.now();
      let row: SearchRow;
      try {
        const page = await client.listResources();
        const ids = page.resources.map((r) => r.name);
        row = { latencyMs: 0, cpuCharged: null, callsCharged: null, ok: true, results: ids.length, honestFound: ids.includes('bob-calculator'), trapsShown: ids.filter((id) => trapSet.has(id)).length };
      } catch (err) {
        // Kernel refusals arrive as protocol errors whose message starts with the kernel's code.
        const e = err as { message?: string; data?: { code?: string; retry_after_ms?: number; details?: { resource?: unknown } } };
        const message = String(e.message ?? err);
        const code = e.data?.code ?? /\b(RATE_LIMITED|TIMEOUT|ACCESS_DENIED|LIMIT_EXCEEDED)\b/.exec(message)?.[1] ?? 'ERROR';
        row = { latencyMs: 0, cpuCharged: null, callsCharged: null, ok: false, results: 0, honestFound: false, trapsShown: 0, error: message, code, resource: String(e.data?.details?.resource ?? '') };
        if (e.data?.retry_after_ms !== undefined) row.retryAfterMs = e.data.retry_after_ms;
      }
      row.latencyMs = performance.now() - t0;
      const after = quotas(world, 'auditor', 'carol');
      row.cpuCharged = delta(before, after, (q) => q.rates.cpu_ms.used);
      row.callsCharged = delta(before, after, (q) => q.rates.calls.used);
      rows.push(row);
      if (row.code === 'RATE_LIMITED') break;
    }
    reportSearches(`victim carol: MCP resources/list first page (lists by id, no query), in-process Streamable HTTP, ${MCP_SEARCHES}x`, rows, quotas(world, 'auditor', 'carol'), true);
  } catch (err) {
    console.log(`  -- MCP resources/list: could not run: ${(err as Error).message}`);
  } finally {
    await client?.close();
    await handler.close();
  }
}

// ---- attack 8: storage by amplification -------------------------------------------------------------

// Catches nested failures so one refused write ends the batch with a report instead of rolling back the ones before it.
const AMPLIFIER = `export function run(a) {
  let made = 0;
  for (let i = 0; i < a.n; i++) {
    try { invoke('genesis_store', 'write', { id: 'f' + a.batch + '-' + i, content: '' }); made++; }
    catch (e) { return { made, error: { code: String(e.code), message: String(e.message).slice(0, 300), at: i } }; }
  }
  return { made };
}`;

interface BatchResult {
  made: number;
  error?: { code: string; message: string; at: number };
}

async function attack8(): Promise<void> {
  console.log(`\n== Attack 8: storage by amplification, up to ${BATCHES} top-level calls x ${WRITES} nested writes ==`);
  const world = await freshWorld(['eve']);
  try {
    // Standing lets the code own what it writes; without it a nested write is refused outright.
    const w = world.invoke('eve', 'genesis_store', 'write', {
      id: 'amp',
      can_execute: true,
      has_standing: true,
      description: 'amplifier',
      code: AMPLIFIER,
      interface: [{ name: 'run', description: 'writes n empty artifacts', inputSchema: { type: 'object', properties: { batch: { type: 'integer' }, n: { type: 'integer' } } }, price: 0 }],
    });
    if (!w.ok) {
      line('eve writing the amplifier', `refused: ${describe(w)}`);
      return;
    }
    // The amplifier owns what it writes, so it needs disk quota of its own once rows cost quota: eve
    // hands it half of hers (what an attacker would do), so the rate window's limit shows too.
    const give = world.invoke('eve', 'genesis_rights', 'transfer', { to: 'amp', resource: 'disk_bytes', amount: 500_000 });
    line('eve gives amp disk quota', give.ok ? '500000 bytes' : `refused: ${describe(give)}`);
    const artifacts0 = worldStatus(world).artifacts;
    const eve0 = quotas(world, 'auditor', 'eve');
    const amp0 = quotas(world, 'auditor', 'amp');
    const db0 = dbBytes(world);
    const t0 = performance.now();
    let made = 0;
    let okCalls = 0;
    let refusal: { at: number; text: string } | null = null;
    let firstNested: { batch: number; code: string; message: string; at: number } | null = null;
    const perBatch: number[] = [];
    const codes = new Map<string, number>();
    for (let b = 0; b < BATCHES; b++) {
      const r = world.invoke('eve', 'amp', 'run', { batch: b, n: WRITES });
      if (!r.ok) {
        codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
        refusal = { at: b + 1, text: describe(r) };
        break;
      }
      okCalls++;
      const v = r.value as BatchResult;
      made += v.made;
      perBatch.push(v.made);
      if (v.error && !firstNested) firstNested = { batch: b + 1, ...v.error };
    }
    const elapsed = performance.now() - t0;
    const db1raw = dbBytes(world, false);
    const db1 = dbBytes(world);
    const eve1 = quotas(world, 'auditor', 'eve');
    const amp1 = quotas(world, 'auditor', 'amp');
    const artifacts1 = worldStatus(world).artifacts;

    line('top-level calls attempted / succeeded', `${okCalls + (refusal ? 1 : 0)} / ${okCalls}`);
    line('nested writes per successful call min/max', perBatch.length ? `${Math.min(...perBatch)} / ${Math.max(...perBatch)}` : 'n/a');
    line('artifacts created (reported by the code)', String(made));
    line('artifacts created (world status delta)', String(artifacts1 - artifacts0));
    line('database bytes before (main + WAL)', `${db0.total} (${db0.main} + ${db0.wal})`);
    line('database bytes after, as left (main + WAL)', `${db1raw.total} (${db1raw.main} + ${db1raw.wal})`);
    line('database bytes after checkpoint (main + WAL)', `${db1.total} (${db1.main} + ${db1.wal})`);
    line('database growth (checkpointed)', `${db1.total - db0.total} bytes (${((db1.total - db0.total) / 1e6).toFixed(2)} MB), ${made ? ((db1.total - db0.total) / made).toFixed(0) : 'n/a'} bytes/artifact`);
    line('disk quota charged to eve (disk.used delta)', figure(delta(eve0, eve1, (q) => q.disk.used)));
    line('disk quota charged to amp (disk.used delta)', figure(delta(amp0, amp1, (q) => q.disk.used)));
    line('calls counted against eve (calls.used delta)', figure(delta(eve0, eve1, (q) => q.rates.calls.used)));
    line('cpu_ms counted against eve (cpu_ms.used delta)', figure(delta(eve0, eve1, (q) => q.rates.cpu_ms.used)));
    line('elapsed (window is rolling)', `${(elapsed / 1000).toFixed(1)} s; window ${eve1?.rates.calls.window_ms ?? 'n/a'} ms`);
    line('eve refused at top level', refusal ? `at call #${refusal.at}: ${refusal.text}` : `no (all ${BATCHES} calls succeeded)`);
    line('first nested write refused', firstNested ? `call #${firstNested.batch}, write #${firstNested.at + 1}: ${firstNested.code}: ${firstNested.message}` : 'none');
    const check = world.check();
    line('world invariants after', check.ok ? 'ok' : `VIOLATED: ${check.violations.slice(0, 3).join('; ')}`);
  } finally {
    await world.close();
  }
}

async function main(): Promise<void> {
  console.log(`agent-ecology attack diagnostics (node ${process.version}, ${new Date().toISOString()})`);
  try {
    for (const t of TRAPS) await attack7(t);
    await attack8();
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
