/**
 * Kernel benchmarks, each reported as a ratio against a baseline measured in the same run on the
 * same machine (the machines are shared and noisy: absolute numbers mean little, ratios travel).
 *
 *   npm run bench [-- --seconds 2 --rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { World } from '../src/world.ts';
import { parseConfig } from '../src/kernel/config.ts';
import { storageFloor, storeSettings } from './floor.ts';
import { arg } from './args.ts';

const SECONDS = arg('seconds', 2);
const ROUNDS = arg('rounds', 5);

/** Runs `fn` repeatedly for about `SECONDS` and returns operations per second. */
function rate(fn: () => void): number {
  for (let i = 0; i < 50; i++) fn();
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  return n / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'ecology-bench-'));

// ---- baseline 1: a raw guarded transfer in libsql, same storage settings as the world -------------
function rawLedger(): () => void {
  const db = new Database(join(dir, 'raw.db'));
  storeSettings(db);
  db.exec(`CREATE TABLE accounts (principal TEXT, asset TEXT, balance INTEGER NOT NULL CHECK (balance >= 0), PRIMARY KEY (principal, asset)) WITHOUT ROWID;
           CREATE TABLE journal (seq INTEGER PRIMARY KEY, at INTEGER, asset TEXT, from_id TEXT, to_id TEXT, amount INTEGER, cause TEXT, command_id TEXT);
           INSERT INTO accounts VALUES ('alice', 'scrip', 1000000000), ('bob', 'scrip', 0);`);
  const debit = db.prepare("UPDATE accounts SET balance = balance - ? WHERE principal = ? AND asset = 'scrip' AND balance >= ?");
  const credit = db.prepare("INSERT INTO accounts VALUES (?, 'scrip', ?) ON CONFLICT (principal, asset) DO UPDATE SET balance = balance + excluded.balance");
  const journal = db.prepare("INSERT INTO journal (at, asset, from_id, to_id, amount, cause, command_id) VALUES (?, 'scrip', ?, ?, ?, 'transfer', ?)");
  let i = 0;
  return () => {
    db.exec('BEGIN IMMEDIATE');
    if (debit.run(1, 'alice', 1).changes !== 1) throw new Error('raw overdraft');
    credit.run('bob', 1);
    journal.run(Date.now(), 'alice', 'bob', 1, `c${i++}`);
    db.exec('COMMIT');
  };
}

// ---- baseline 2: a raw QuickJS fresh runtime evaluating and calling the same module ---------------
async function rawQuickJs(code: string): Promise<() => void> {
  const qjs = await newQuickJSWASMModuleFromVariant(releaseSync as unknown as Parameters<typeof newQuickJSWASMModuleFromVariant>[0]);
  return () => {
    const rt = qjs.newRuntime();
    const ctx = rt.newContext();
    const ns = ctx.unwrapResult(ctx.evalCode(code, 'bench.js', { type: 'module' }));
    const fn = ctx.getProp(ns, 'add');
    const args = ctx.unwrapResult(ctx.evalCode('({ x: 2, y: 3 })'));
    const r = ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, args));
    ctx.dump(r);
    r.dispose();
    args.dispose();
    fn.dispose();
    ns.dispose();
    ctx.dispose();
    rt.dispose();
  };
}

/** WAL pages one call of `fn` writes, averaged over 200 calls from an emptied WAL. */
function walPagesPer(world: World, fn: () => void): number {
  const frames = () => (world.store.one<{ log: number }>('PRAGMA wal_checkpoint(PASSIVE)')?.log ?? 0);
  world.store.one('PRAGMA wal_checkpoint(TRUNCATE)');
  const before = frames();
  for (let i = 0; i < 200; i++) fn();
  return (frames() - before) / 200;
}

const ADDER = 'export function add(a){ return { sum: a.x + a.y } }';

async function main(): Promise<void> {
  const world = await World.open({
    path: join(dir, 'world.db'),
    sandbox: 'own',
    config: { principal_defaults: { scrip: 1_000_000_000, calls: 100_000_000, cpu_ms: 100_000_000 } },
  });
  for (const p of ['alice', 'bob']) if (!world.createPrincipal(p).ok) throw new Error(`cannot create ${p}`);
  const w = world.invoke('alice', 'genesis_store', 'write', {
    id: 'adder',
    can_execute: true,
    code: ADDER,
    interface: [{ name: 'add', description: 'x + y', inputSchema: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } }, price: 0 }],
  });
  if (!w.ok) throw new Error(w.error.message);
  const transfer = () => {
    const r = world.invoke('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1 });
    if (!r.ok) throw new Error(r.error.message);
  };
  const invoke = () => {
    const r = world.invoke('bob', 'genesis_store', 'invoke', { id: 'adder', method: 'add', args: { x: 2, y: 3 } });
    if (!r.ok) throw new Error(r.error.message);
  };
  const pagesPerTransfer = walPagesPer(world, transfer);
  const raw = rawLedger();
  const floor = storageFloor(join(dir, 'floor.db'));
  const qjs = await rawQuickJs(ADDER);

  const rows: { name: string; base: number[]; kernel: number[] }[] = [
    { name: 'ledger_transfer commits/s vs raw libsql guarded transfer', base: [], kernel: [] },
    { name: 'artifact_invoke (trivial code) calls/s vs raw QuickJS fresh runtime', base: [], kernel: [] },
    { name: 'diagnostic: ledger_transfer vs its own SQL sent directly (the storage floor)', base: [], kernel: [] },
  ];
  for (let round = 0; round < ROUNDS; round++) {
    // Interleave baseline and subject so drift in machine load hits both.
    rows[0]!.base.push(rate(raw));
    rows[0]!.kernel.push(rate(transfer));
    rows[1]!.base.push(rate(qjs));
    rows[1]!.kernel.push(rate(invoke));
    rows[2]!.base.push(rate(floor));
    rows[2]!.kernel.push(rate(transfer));
  }
  const report = world.check();
  const pageBytes = world.store.one<{ page_size: number }>('PRAGMA page_size')!.page_size;
  await world.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`agent-ecology kernel bench: ${ROUNDS} rounds of ${SECONDS}s, medians (node ${process.version})\n`);
  console.log('| measurement | baseline ops/s | kernel ops/s | kernel / baseline | kernel µs/op | baseline µs/op |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const b = median(r.base);
    const k = median(r.kernel);
    console.log(`| ${r.name} | ${b.toFixed(0)} | ${k.toFixed(0)} | ${(k / b).toFixed(2)} | ${(1e6 / k).toFixed(1)} | ${(1e6 / b).toFixed(1)} |`);
  }
  console.log(`\ndiagnostic: a kernel transfer writes ${pagesPerTransfer.toFixed(1)} WAL pages of ${pageBytes} bytes at commit (each index or table it touches is a page)`);
  const inv = rows[1]!;
  console.log(`\ntargets: ledger ratio >= 0.5 (got ${(median(rows[0]!.kernel) / median(rows[0]!.base)).toFixed(2)}); invoke time <= 2x raw (got ${(median(inv.base) / median(inv.kernel)).toFixed(2)}x)`);
  if (!report.ok) {
    console.error('invariants violated after the bench:', report.violations);
    process.exitCode = 1;
  }
}

export const kernelBench = main;
if (import.meta.url === `file://${process.argv[1]}`) await main();
