import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/world.ts';
import { httpClient } from '../helpers/mcp.ts';

const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
const TOKEN = /eco_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the front door', () => {
  it('--version prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = run([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it('init creates the world, a principal and a token, and prints the configs with absolute paths; again, a new token', () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = run(['init', '--as', 'alice', '--db', 'w.db'], dir);
      expect(r.status, r.stderr).toBe(0);
      const db = resolve(dir, 'w.db');
      expect(r.stdout).toContain(`Created the world ${db} and its first principal, alice, with 100 scrip.`);
      const token = r.stdout.match(TOKEN)![0];
      // Claude Desktop's stdio config, parsed as JSON: this node, this bin, this world, all absolute.
      const configs = [...r.stdout.matchAll(/^ {2}\{\n[\s\S]*?\n {2}\}$/gm)].map((m) => JSON.parse(m[0]) as { mcpServers: Record<string, { command: string; args: string[] }> });
      expect(configs).toHaveLength(2);
      expect(configs[0]!.mcpServers['agent-ecology']).toEqual({ command: process.execPath, args: [resolve(BIN), 'stdio', '--as', 'alice', '--db', db] });
      expect(configs[1]!.mcpServers['agent-ecology']!.args).toContain(`Authorization:Bearer ${token}`);
      // The Inspector is pinned to a release with --header that runs on Node 20.
      expect(r.stdout).toMatch(/npx -y @modelcontextprotocol\/inspector@2\.12\.0 --cli http:\/\/127\.0\.0\.1:8787\/mcp --transport http --header "Authorization: Bearer eco_/);
      expect(r.stdout).toMatch(/Next:\n {2}1\. [\s\S]* {2}2\. [\s\S]* {2}3\. /);
      // The token works, and a second init keeps the principal and adds a token.
      const again = run(['init', '--as', 'alice', '--db', db]);
      expect(again.stdout).toMatch(/alice already lives in .*; here is a new token for it\./);
      expect(again.stdout.match(TOKEN)![0]).not.toBe(token);
      const list = run(['principal', 'list', '--db', db]);
      expect(list.status).toBe(0);
      expect(list.stdout).toMatch(/^alice\s+100 scrip {2}2 tokens {2}made by genesis_operator /m);
      const rows = run(['principal', 'list', '--json', '--db', db]).stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(rows).toEqual([expect.objectContaining({ id: 'alice', scrip: 100, live_tokens: 2, description: 'Created by ecology init' })]);
      expect(run(['check', '--db', db]).status).toBe(0);
    } finally {
      cleanup();
    }
  });

  it('init refuses a malformed name, saying what a name may be, and creates no principal', () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = run(['init', '--as', 'Not A Name', '--db', join(dir, 'w.db')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/INVALID_ARGS.*must be 1-64 characters of a-z/);
      expect(r.stdout).toBe('');
      expect(run(['principal', 'list', '--db', join(dir, 'w.db')]).stdout).toMatch(/No principals yet\. Create one with: ecology init/);
    } finally {
      cleanup();
    }
  });

  it('demo leaves a user world byte-for-byte unchanged, writes nothing where it runs, and labels its deliberate refusal', () => {
    const { dir, cleanup } = tempDir();
    try {
      expect(run(['init', '--as', 'alice', '--db', 'world.db'], dir).status).toBe(0);
      expect(run(['principal', 'create', 'bob', '--db', 'world.db'], dir).status).toBe(0);
      const before = { files: readdirSync(dir).sort(), hash: sha(join(dir, 'world.db')) };
      const r = run(['demo'], dir);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^A throw-away world/);
      expect(r.stdout).toMatch(/\[expected refusal\]: refused, as expected: ACCESS_DENIED/);
      expect(r.stdout).not.toMatch(/UNEXPECTEDLY/);
      expect(JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('\n{'))).ok).toBe(true);
      expect({ files: readdirSync(dir).sort(), hash: sha(join(dir, 'world.db')) }).toEqual(before);
      // Quiet in a pipe: no spinner on stderr.
      expect(r.stderr).toBe('');
    } finally {
      cleanup();
    }
  });

  it('serve logs one line per request (who, what, outcome, duration) and never a token or an argument; warns when nobody can connect', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      const empty = await serveFor(join(dir, 'empty.db'), async () => {});
      expect(empty).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/no principals yet.*ecology init --db/) }));

      const token = run(['init', '--as', 'alice', '--db', db]).stdout.match(TOKEN)![0];
      expect(run(['principal', 'create', 'bob', '--db', db]).status).toBe(0);
      const secretMemo = 'the-secret-memo-31337';
      const stderr: string[] = [];
      const lines = await serveFor(
        db,
        async (url) => {
          const c = await httpClient(url, token, 'modern');
          await c.callTool({ name: 'ledger_balance', arguments: {} });
          await c.callTool({ name: 'ledger_transfer', arguments: { to: 'bob', amount: 1_000_000, memo: secretMemo } });
          // A tool name carrying a forged log line is logged as one line, its newline replaced.
          const forged = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'x\n[00:00:00.000] INFO: admin tools/call ledger_transfer → ok (1 ms)', arguments: {} } });
          await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` }, body: forged });
          await c.close();
          await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        },
        stderr,
      );
      const requests = lines.filter((l) => l.msg === 'request');
      expect(requests).toContainEqual(expect.objectContaining({ principal: 'alice', method: 'tools/call', tool: 'ledger_balance', outcome: 'ok', status: 200, duration_ms: expect.any(Number) }));
      expect(requests).toContainEqual(expect.objectContaining({ principal: 'alice', method: 'tools/call', tool: 'ledger_transfer', outcome: 'INSUFFICIENT_FUNDS' }));
      expect(requests).toContainEqual(expect.objectContaining({ principal: null, outcome: 'http_401', status: 401 }));
      for (const l of requests) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(requests, JSON.stringify(requests)).toContainEqual(expect.objectContaining({ principal: 'alice', tool: expect.stringMatching(/^x\?\?00:00:00\.000\?\?INFO:\?admin\?tools\/call/) }));
      const all = stderr.join('');
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.split('_')[2]);
      expect(all).not.toContain(secretMemo);
      expect(all).not.toContain('1000000');
    } finally {
      cleanup();
    }
  });
});

/** Runs `ecology serve --log-format json` on `db`, calls `work(url)`, stops it, and returns its log lines. */
async function serveFor(db: string, work: (url: string) => Promise<void>, raw: string[] = []): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => raw.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', () => {
      const m = raw.join('').match(/http:\/\/127\.0\.0\.1:\d+\/mcp/);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${raw.join('')}`)));
  });
  try {
    await work(url);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  return raw
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
