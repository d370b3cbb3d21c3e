import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/world.ts';
import { callOk, httpClient } from '../helpers/mcp.ts';
import { completion, llmStandIn } from '../helpers/llm.ts';

const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
/** Runs the CLI without blocking this process (which serves the stand-in LLM the CLI calls). */
const runAsync = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
const TOKEN = /eco_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/;

describe('ecology serve hosts agents; ecology agents controls them', () => {
  it('an outside client spawns an agent over HTTP; serve steps it; list, trace, pause and step work from the CLI', async () => {
    const { dir, cleanup } = tempDir();
    let n = 0;
    const llm = await llmStandIn(() => {
      n++;
      return { json: completion({ toolCalls: [{ name: 'ledger_transfer', arguments: { to: 'bob', amount: 1 } }], usage: { prompt_tokens: 500, completion_tokens: 50 } }) };
    });
    const db = join(dir, 'w.db');
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ llm: { default_endpoint: 'local', endpoints: { local: { base_url: llm.url, model: 'stand-in', input_micro_usd_per_1k: 100, output_micro_usd_per_1k: 100 } } }, agents: { steps_per_minute: 600 } }));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--config', config, '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const token = run(['init', '--as', 'alice', '--db', db]).stdout.match(TOKEN)![0];
      expect(run(['principal', 'create', 'bob', '--db', db]).status).toBe(0);
      let err = '';
      const url = await new Promise<string>((resolve) => child.stderr.on('data', (d) => ((err += d), err.match(/http:\/\/127\.0\.0\.1:\d+\/mcp/) && resolve(err.match(/http:\/\/127\.0\.0\.1:\d+\/mcp/)![0]))));
      const alice = await httpClient(url, token, 'modern');
      expect(await callOk(alice, 'agent_spawn', { id: 'payer', goal: 'pay bob', fund: { scrip: 10, llm_budget_micro_usd: 10_000, llm_tokens: 50_000, calls: 100 } })).toMatchObject({ agent: 'payer', model: 'local' });
      // The host in serve picks it up and steps it: bob is paid by the agent, as the agent.
      const deadline = Date.now() + 15_000;
      let bob = 100;
      while (bob < 102 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        bob = JSON.parse(run(['principal', 'list', '--json', '--db', db]).stdout.trim().split('\n').find((l) => l.includes('"bob"'))!).scrip;
      }
      expect(bob).toBeGreaterThanOrEqual(102);
      const paused = run(['agents', 'pause', 'payer', '--reason', 'inspecting', '--db', db]);
      expect(paused.status, paused.stderr).toBe(0);
      const list = run(['agents', 'list', '--db', db]);
      expect(list.stdout).toMatch(/^payer\s+paused\s+\d+ steps .*owner alice.*\(inspecting\)/m);
      const trace = run(['agents', 'trace', 'payer', '--limit', '1', '--db', db]);
      expect(JSON.parse(trace.stdout)).toMatchObject({ ok: true, outcome: 'done', calls: [{ tool: 'ledger_transfer', ok: true }] });
      await alice.close();
      const status = await new Promise<number | null>((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
      expect(status, err).toBe(0);
      // With serve stopped, one operator step of the paused agent, from the CLI.
      const before = n;
      const step = await runAsync(['agents', 'step', 'payer', '--db', db]);
      expect(step.status, step.stderr + step.stdout).toBe(0);
      expect(JSON.parse(step.stdout)).toMatchObject({ kind: 'done', ok: true });
      expect(n).toBe(before + 1);
      expect(run(['agents', 'list', '--state', 'paused', '--json', '--db', db]).stdout).toMatch(/"id":"payer"/);
      expect(run(['agents', 'pause', 'nobody', '--db', db]).stderr).toMatch(/NOT_FOUND.*not a hosted agent/);
      expect(run(['check', '--db', db]).status).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await llm.close();
      cleanup();
    }
  });
});
