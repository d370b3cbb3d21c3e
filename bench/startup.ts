/**
 * Issue 10: start-up as a user feels it, as whole processes (spawn to exit, or to the first answer),
 * against `node -e ''` measured in the same run: `ecology --help`, `ecology --version`,
 * `ecology principal list` (opens a world, no sandbox), and `ecology stdio` from spawn to the answer of its
 * first `tools/list` (what Claude Desktop waits for at every launch). Targets: --help < 0.4 s, stdio < 1 s.
 *
 *   npm run bench -- --only startup [--startup-rounds 7]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { arg } from './args.ts';

const ROUNDS = arg('startup-rounds', 7);
const BIN = new URL('../bin/ecology.mjs', import.meta.url).pathname;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeProcess(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ECOLOGY_DEV: '' } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

async function timeStdioFirstList(db: string): Promise<number> {
  const t0 = performance.now();
  // A 2025-era client, as Claude Desktop is: one process. (The SDK's auto negotiation over stdio starts the
  // server twice, which would measure two launches.)
  const client = new Client({ name: 'bench-startup', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'stdio', '--as', 'alice', '--db', db], stderr: 'ignore' }));
  const tools = await client.listTools();
  const ms = performance.now() - t0;
  if (tools.tools.length === 0) throw new Error('stdio answered tools/list with no tools');
  await client.close();
  return ms;
}

export async function startupBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const db = join(dir, 'w.db');
    timeProcess([BIN, 'principal', 'create', 'alice', '--db', db]);
    const rows: [string, number, number | null][] = [];
    const measure = async (name: string, once: () => number | Promise<number>, target: number | null) => {
      await once(); // warm the file cache
      const xs: number[] = [];
      for (let i = 0; i < ROUNDS; i++) xs.push(await once());
      rows.push([name, median(xs), target]);
    };
    await measure("node -e ''", () => timeProcess(['-e', '']), null);
    await measure('ecology --help', () => timeProcess([BIN, '--help']), 400);
    await measure('ecology --version', () => timeProcess([BIN, '--version']), null);
    await measure('ecology principal list', () => timeProcess([BIN, 'principal', 'list', '--db', db]), null);
    await measure('ecology stdio → first tools/list', () => timeStdioFirstList(db), 1_000);
    const base = rows[0]![1];
    console.log(`\n## start-up (whole processes, median of ${ROUNDS}; baseline node -e '' ${base.toFixed(0)} ms)\n`);
    console.log('| command | ms | x node -e \'\' | target |');
    console.log('|---|---|---|---|');
    for (const [name, ms, target] of rows) {
      console.log(`| ${name} | ${ms.toFixed(0)} | ${(ms / base).toFixed(1)} | ${target === null ? '' : `< ${target} ms: ${ms < target ? 'met' : 'MISSED'}`} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

