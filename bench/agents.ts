/**
 * Issue 11: hosted agents.
 * 1. Loop overhead per step, excluding the LLM: one agent stepped back to back in-process against a stand-in
 *    that answers at once with one cheap tool call; a step's time minus its LLM time, against the same MCP
 *    tool call made directly (a step makes two: world_whoami and the tool the model asked for).
 * 2. 200 hosted agents for 60 s against a stand-in LLM with 500 ms latency, hosted by `ecology serve` as
 *    deployed: steps/s, a bystander's world command p99 over HTTP, and the server's RSS.
 *
 *   npm run bench -- --only agents [--agents 200 --agent-seconds 60 --llm-latency 500]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { AgentHost } from '../src/agents/host.ts';
import { worldHandler } from '../src/mcp/http.ts';
import { connectInProcess } from '../src/mcp/inprocess.ts';
import { World } from '../src/world.ts';
import { arg } from './args.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const AGENTS = arg('agents', 200);
const SECONDS = arg('agent-seconds', 60);
const LATENCY = arg('llm-latency', 500);
const BIN = new URL('../bin/ecology.mjs', import.meta.url).pathname;
const STANDIN = new URL('./llm-standin.ts', import.meta.url).pathname;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;


function standIn(latency: number): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', STANDIN, '--latency', String(latency)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve({ url: d.toString().trim(), proc })));
}

const config = (url: string, agents: Record<string, number>) => ({
  principal_defaults: { scrip: 1_000, llm_budget_micro_usd: 1_000_000_000, llm_tokens: 1_000_000_000, calls: 10_000_000, cpu_ms: 10_000_000, disk_bytes: 1_000_000_000 },
  llm: { default_endpoint: 'local', endpoints: { local: { base_url: url, model: 'stand-in', input_micro_usd_per_1k: 1, output_micro_usd_per_1k: 1, max_output_tokens: 100, timeout_ms: 30_000 } } },
  agents,
});

const fund = { llm_budget_micro_usd: 1_000_000, llm_tokens: 1_000_000, calls: 100_000, cpu_ms: 10_000, disk_bytes: 100_000 };

async function overhead(): Promise<void> {
  const llm = await standIn(0);
  const world = await World.open({ config: config(llm.url, { steps_per_minute: 600 }) });
  try {
    world.createPrincipal('sponsor');
    const spawned = world.invoke('sponsor', 'genesis_agents', 'spawn', { id: 'solo', goal: 'bench', fund });
    if (!spawned.ok) throw new Error(spawned.error.message);
    const handler = worldHandler(world);
    const host = new AgentHost(world, handler);
    const direct = await connectInProcess(handler, 'sponsor');
    const steps: number[] = [];
    const loops: number[] = [];
    const calls: number[] = [];
    for (let i = 0; i < 220; i++) {
      const w0 = performance.now();
      const o = await host.step('solo');
      const wall = performance.now() - w0;
      if (o.kind !== 'done') throw new Error(`step ${i}: ${o.kind}`);
      const t = o.trace as { latency_ms: number; llm_ms: number; calls: { ms: number }[] };
      if (i >= 20) steps.push(wall - t.llm_ms);
      if (i >= 20) loops.push(wall - t.llm_ms - t.calls.reduce((a, c) => a + c.ms, 0));
      const t0 = performance.now();
      await direct.callTool({ name: 'ledger_balance', arguments: {} });
      if (i >= 20) calls.push(performance.now() - t0);
    }
    const med = (xs: number[]) => pct(xs, 0.5);
    console.log(`\n## hosted agents: loop overhead per step, excluding the LLM (median of ${steps.length})\n`);
    console.log('| measure | ms | x one direct tool call |');
    console.log('|---|---|---|');
    console.log(`| one direct in-process tool call (ledger_balance) | ${med(calls).toFixed(2)} | 1.0 |`);
    console.log(`| a whole step (host.step) minus its LLM time | ${med(steps).toFixed(2)} | ${(med(steps) / med(calls)).toFixed(1)} |`);
    console.log(`| the loop's own overhead: that minus the tool call the model asked for (claim, world_whoami, prompt, reserve, settle, record) | ${med(loops).toFixed(2)} | ${(med(loops) / med(calls)).toFixed(1)} |`);
    console.log(`\nTarget < 2 ms (the loop's own overhead): ${med(loops) < 2 ? 'met' : 'MISSED'}.`);
    await direct.close();
    await host.stop();
    await handler.close();
  } finally {
    await world.close();
    llm.proc.kill();
  }
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function crowd(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-agents-'));
  const llm = await standIn(LATENCY);
  let serve: ChildProcess | undefined;
  try {
    const db = join(dir, 'w.db');
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify(config(llm.url, { max_running: AGENTS, steps_per_minute: 600 })));
    const world = await World.open({ path: db, configFile: cfg, sandbox: 'own' });
    world.createPrincipal('sponsor', { llm_budget_micro_usd: 1_000_000_000_000, llm_tokens: 1_000_000_000_000, calls: 1_000_000_000_000, cpu_ms: 1_000_000_000, disk_bytes: 1_000_000_000_000 });
    world.createPrincipal('bystander');
    for (let i = 0; i < AGENTS; i++) {
      const r = world.invoke('sponsor', 'genesis_agents', 'spawn', { id: `a${i}`, goal: 'check your balance', fund });
      if (!r.ok) throw new Error(r.error.message);
    }
    const token = (world.invoke('genesis_operator', 'genesis_world', 'create_token', { principal: 'bystander' }) as { value: { token: string } }).value.token;
    await world.close();
    serve = spawn(process.execPath, [BIN, 'serve', '--db', db, '--config', cfg, '--port', '0', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      serve!.stderr!.on('data', (d: Buffer) => {
        // Keep only the head: the server logs every bystander request.
        if (err.length < 10_000) err += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err);
        if (m) resolve(m[1]!);
      });
      serve!.once('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
    });
    const by = new Client({ name: 'bystander', version: '1' }, { versionNegotiation: { mode: 'auto' as const } });
    await by.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const latencies: number[] = [];
    const rss: number[] = [];
    const end = Date.now() + SECONDS * 1000;
    const sampler = setInterval(() => rss.push(rssOf(serve!.pid!)), 1000);
    while (Date.now() < end) {
      const t0 = performance.now();
      await by.callTool({ name: 'ledger_balance', arguments: {} });
      latencies.push(performance.now() - t0);
      await sleep(20);
    }
    clearInterval(sampler);
    await by.close();
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
    const after = await World.open({ path: db, sandbox: 'own' });
    const steps = after.store.one<{ s: number }>('SELECT SUM(steps) AS s FROM agents')!.s;
    const report = after.check();
    await after.close();
    console.log(`\n## hosted agents: ${AGENTS} agents, ${SECONDS} s, stand-in LLM latency ${LATENCY} ms, hosted by ecology serve\n`);
    console.log('| measure | value | target |');
    console.log('|---|---|---|');
    console.log(`| steps/s | ${(steps / SECONDS).toFixed(1)} | (at most ${(AGENTS * 1000) / LATENCY}/s: every agent waiting on its LLM) |`);
    console.log(`| bystander ledger_balance p50 / p99 ms (${latencies.length} calls) | ${pct(latencies, 0.5).toFixed(1)} / ${pct(latencies, 0.99).toFixed(1)} | p99 < 50 ms: ${pct(latencies, 0.99) < 50 ? 'met' : 'MISSED'} |`);
    console.log(`| serve RSS max MiB | ${(Math.max(...rss) / 2 ** 20).toFixed(0)} | < 1024: ${Math.max(...rss) < 2 ** 30 ? 'met' : 'MISSED'} |`);
    console.log(`| invariant checker afterwards | ${report.ok ? 'clean' : JSON.stringify(report.violations)} | clean |`);
  } finally {
    serve?.kill('SIGKILL');
    llm.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function agentsBench(): Promise<void> {
  await overhead();
  await crowd();
}
