/**
 * Shared harness for the red-team latency benches (bench/redteam-*.ts): a real `ecology serve` in its
 * own process over a prepared world file, real SDK clients over Streamable HTTP, a bystander that
 * makes cheap calls back to back, and percentiles with their spread over repeated trials.
 *
 * Every bench measures a baseline (no attack) in the same run, on the same server, right before each
 * attack trial, because the machine is shared and noisy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { World } from '../src/world.ts';
import type { ConfigInput, Grant } from '../src/kernel/config.ts';
import type { InvokeResult } from '../src/kernel/kernel.ts';

export const BIN = new URL('../bin/ecology.mjs', import.meta.url).pathname;

export { arg, flag, list, text } from './args.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function must(r: InvokeResult, what: string): any {
  if (!r.ok) throw new Error(`${what} failed: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export interface Prepared {
  dir: string;
  db: string;
  tokens: Map<string, string>;
}

/** A world file with principals (each with a token); `setup` writes whatever artifacts the attack needs. */
export async function prepare(principals: string[], config: ConfigInput = {}, setup?: (w: World) => void | Promise<void>, grants: Record<string, Partial<Grant>> = {}): Promise<Prepared> {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-redteam-'));
  const db = join(dir, 'world.db');
  const world = await World.open({ path: db, sandbox: 'own', config });
  const tokens = new Map<string, string>();
  for (const p of principals) {
    must(world.createPrincipal(p, grants[p] ?? {}), `create ${p}`);
    tokens.set(p, (must(world.invoke(world.operator, 'genesis_world', 'create_token', { principal: p }), 'token') as { token: string }).token);
  }
  await setup?.(world);
  await world.close();
  return { dir, db, tokens };
}

export interface Served {
  url: string;
  proc: ChildProcess;
  stderrBytes: () => number;
  /** Resident set size of the server process, in MB (from /proc). */
  rssMb: () => number;
  exited: () => { code: number | null; signal: string | null } | null;
  stop: () => Promise<void>;
}

/** Starts `ecology serve` on a free port. */
export function serve(db: string, opts: { args?: string[]; nodeArgs?: string[] } = {}): Promise<Served> {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, 'serve', '--db', db, '--port', '0', ...(opts.args ?? [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  let errBytes = 0;
  let exit: { code: number | null; signal: string | null } | null = null;
  proc.once('exit', (code, signal) => (exit = { code, signal }));
  return new Promise((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      errBytes += d.length;
      if (err.length < 1_000_000) err += d.toString();
      const m = /at (http:\/\/\S+)/.exec(err);
      if (m && !exit)
        resolve({
          url: m[1]!,
          proc,
          stderrBytes: () => errBytes,
          rssMb: () => {
            try {
              const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1];
              return kb ? Number(kb) / 1024 : NaN;
            } catch {
              return NaN;
            }
          },
          exited: () => exit,
          stop: async () => {
            if (exit) return;
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
            await new Promise((r) => proc.once('exit', r));
            clearTimeout(t);
          },
        });
    });
    proc.once('exit', (code, signal) => reject(new Error(`ecology serve exited (${code ?? signal}): ${err.slice(-2000)}`)));
  });
}

export type Era = 'modern' | 'legacy';

export async function connect(url: string, token: string, era: Era = 'modern'): Promise<Client> {
  const c = new Client({ name: 'redteam', version: '1' }, era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {});
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return c;
}

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
  /** Seconds the bystander spent in calls that took over 250 ms, of `total` seconds measured. */
  stalled: number;
  total: number;
}

export const pct = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export function stats(latencies: number[]): Stats {
  const s = [...latencies].sort((a, b) => a - b);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / 1000;
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.at(-1) ?? NaN, stalled: sum(s.filter((x) => x > 250)), total: sum(s) };
}

/**
 * The bystander: `call` back to back (or with `pauseMs` between calls, not timed) for `seconds`; every latency, including failures (a refused or
 * failed bystander call is reported, not hidden). A call still waiting when time is up counts with
 * its full latency once it returns.
 */
export async function bystander(call: () => Promise<{ isError?: boolean | undefined; content?: unknown }>, seconds: number, pauseMs = 0): Promise<{ latencies: number[]; errors: number; sample?: string }> {
  const latencies: number[] = [];
  let errors = 0;
  let sample: string | undefined;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    try {
      const r = await call();
      if (r.isError) {
        errors++;
        sample ??= JSON.stringify(r.content).slice(0, 160);
      }
    } catch (e) {
      errors++;
      sample ??= String((e as Error).message).slice(0, 160);
    }
    latencies.push(performance.now() - t0);
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return { latencies, errors, ...(sample === undefined ? {} : { sample }) };
}

export const fmt = (s: Stats) => `n=${s.n} p50=${s.p50.toFixed(1)} p99=${s.p99.toFixed(1)} max=${s.max.toFixed(0)}`;

/** Median and range of a list of figures, for the spread across trials. */
export function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${pct(s, 50).toFixed(0)} (min ${s[0]!.toFixed(0)}, max ${s.at(-1)!.toFixed(0)})`;
}

export interface TrialRow {
  trial: number;
  baseline: Stats;
  attack: Stats;
  note?: string;
}

/** Prints one markdown table of trials, then the spread of baseline and attack p99 across them. */
export function report(title: string, rows: TrialRow[], goalP99 = 250): void {
  console.log(`\n## ${title}\n`);
  console.log('| trial | baseline n | baseline p50 | baseline p99 | attack n | attack p50 | attack p99 | attack max | stalled s (calls > 250 ms) | p99 ratio | note |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.trial} | ${r.baseline.n} | ${r.baseline.p50.toFixed(1)} | ${r.baseline.p99.toFixed(1)} | ${r.attack.n} | ${r.attack.p50.toFixed(1)} | ${r.attack.p99.toFixed(1)} | ${r.attack.max.toFixed(0)} | ${r.attack.stalled.toFixed(1)} of ${r.attack.total.toFixed(1)} | ${(r.attack.p99 / r.baseline.p99).toFixed(1)} | ${r.note ?? ''} |`,
    );
  }
  console.log(`\nbaseline p99 ms: ${spread(rows.map((r) => r.baseline.p99))}`);
  console.log(`attack   p99 ms: ${spread(rows.map((r) => r.attack.p99))}  (target < ${goalP99} ms: ${rows.every((r) => r.attack.p99 < goalP99) ? 'met' : 'MISSED'})`);
}

export function dbBytes(db: string): number {
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  return size(db) + size(`${db}-wal`);
}

export function cleanup(p: Prepared): void {
  rmSync(p.dir, { recursive: true, force: true });
}

/** Runs attacker loops until `stop.done`; each loop's outcome codes are tallied in `seen`. */
export async function hammer(stop: { done: boolean }, seen: Record<string, number>, once: () => Promise<{ isError?: boolean | undefined; structuredContent?: unknown }>): Promise<void> {
  while (!stop.done) {
    let code = 'ok';
    let retry = 0;
    try {
      const r = await once();
      const e = (r.structuredContent as { error?: { code: string; retry_after_ms?: number } } | undefined)?.error;
      code = r.isError ? (e?.code ?? 'ERROR') : 'ok';
      retry = e?.retry_after_ms ?? 0;
    } catch (err) {
      code = `throw:${String((err as Error).message).slice(0, 40)}`;
      retry = 100;
    }
    seen[code] = (seen[code] ?? 0) + 1;
    if (code === 'RATE_LIMITED' || code.startsWith('throw')) await sleep(Math.min(Math.max(retry, 20), 1000));
  }
}

export const tally = (seen: Record<string, number>) => Object.entries(seen).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
