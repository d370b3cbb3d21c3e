import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/world.ts';

const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });

describe('ecology CLI', () => {
  it('has --help on every command', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/check/);
    expect(top.stdout).toMatch(/demo/);
    for (const cmd of ['init', 'check', 'demo', 'serve', 'stdio', 'principal', 'principal create', 'principal list', 'token', 'token create', 'token revoke', 'token list']) {
      const r = run([...cmd.split(' '), '--help']);
      expect(r.status, cmd).toBe(0);
      expect(r.stdout).toMatch(/Usage: ecology/);
    }
  });

  it('rejects unknown commands and missing options with usage and a non-zero exit', () => {
    const r = run(['frobnicate']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
    const c = run(['check']);
    expect(c.status).not.toBe(0);
    expect(c.stderr).toMatch(/--db/);
  });

  it('demo runs an economy on the embedded database, twice, and the world stays consistent', () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'demo.db');
      for (let i = 0; i < 2; i++) {
        const r = run(['demo', '--db', db]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/bob invokes adder.add: \{"sum":42\}/);
        expect(r.stdout).toMatch(/bob tries to pay himself from alice's account \[expected refusal\]: refused, as expected: ACCESS_DENIED/);
      }
      const check = run(['check', '--db', db]);
      expect(check.status).toBe(0);
      expect(JSON.parse(check.stdout).ok).toBe(true);
    } finally {
      cleanup();
    }
  });
});

describe('ecology administration and transports', () => {
  it('creates principals and tokens; revokes and lists them; refuses duplicates and bad numbers', () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      const created = run(['principal', 'create', 'alice', '--scrip', '250', '--db', db]);
      expect(created.status, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout).grants.scrip).toBe(250);
      expect(run(['principal', 'create', 'alice', '--db', db]).stderr).toMatch(/CONFLICT/);
      expect(run(['principal', 'create', 'bob', '--scrip', '-5', '--db', db]).status).not.toBe(0);
      const token = run(['token', 'create', 'alice', '--db', db]);
      expect(token.stdout.trim()).toMatch(/^eco_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(run(['token', 'create', 'nobody', '--db', db]).stderr).toMatch(/NOT_FOUND/);
      const list = run(['token', 'list', '--db', db]);
      expect(list.stdout).toMatch(/alice/);
      expect(list.stdout).not.toContain(token.stdout.trim());
      // Stored hashed: the database holds a SHA-256 of the secret, never the token.
      const raw = new Database(db, { readonly: true });
      const rows = raw.prepare('SELECT * FROM tokens').all() as Record<string, unknown>[];
      raw.close();
      expect(JSON.stringify(rows)).not.toContain(token.stdout.trim().split('_')[2]);
      expect(rows.map((r) => r.hash)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
      // Revoke one token by its id, then every remaining token of a principal by name.
      const second = run(['token', 'create', 'alice', '--db', db]).stdout.trim();
      const firstId = token.stdout.trim().split('_')[1]!;
      expect(JSON.parse(run(['token', 'revoke', firstId, '--db', db]).stdout).revoked).toEqual([firstId]);
      expect(JSON.parse(run(['token', 'revoke', 'alice', '--db', db]).stdout).revoked).toEqual([second.split('_')[1]]);
      expect(run(['token', 'revoke', 'alice', '--db', db]).stderr).toMatch(/NOT_FOUND/);
      expect(run(['token', 'revoke', firstId, '--db', db]).stderr).toMatch(/NOT_FOUND|revoked/);
      expect(run(['token', 'list', '--db', db]).stdout).toMatch(/revoked/);
    } finally {
      cleanup();
    }
  });

  it('stdio refuses a principal that does not exist or a built-in service, saying what to do', () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      expect(run(['principal', 'create', 'alice', '--db', db]).status).toBe(0);
      const ghost = run(['stdio', '--as', 'ghost', '--db', db]);
      expect(ghost.status).toBe(2);
      expect(ghost.stderr).toMatch(/ecology principal create ghost/);
      expect(ghost.stdout).toBe('');
      const service = run(['stdio', '--as', 'genesis_ledger', '--db', db]);
      expect(service.status).toBe(2);
      expect(service.stderr).toMatch(/built-in service/);
      expect(service.stdout).toBe('');
    } finally {
      cleanup();
    }
  });

  it('refuses loose numbers, a mistyped or unusable --db and a busy port, saying what to do and creating nothing', async () => {
    const { dir, cleanup } = tempDir();
    const busy = createNetServer();
    try {
      const db = join(dir, 'w.db');
      for (const scrip of ['0x10', '', ' ', '1.5', '-5', '1e3']) {
        const r = run(['principal', 'create', 'alice', '--scrip', scrip, '--db', db]);
        expect(r.status, scrip).not.toBe(0);
        expect(r.stderr).toMatch(/--scrip.*whole number/s);
      }
      expect(existsSync(db)).toBe(false);
      for (const args of [['token', 'list'], ['token', 'revoke', 'nobody'], ['stdio', '--as', 'alice']]) {
        const r = run([...args, '--db', join(dir, 'typo.db')]);
        expect(r.status, args.join(' ')).not.toBe(0);
        expect(r.stderr).toMatch(/There is no world at .*typo\.db/);
      }
      expect(existsSync(join(dir, 'typo.db'))).toBe(false);
      const notAFile = run(['principal', 'create', 'alice', '--db', dir]);
      expect(notAFile.stderr).toMatch(/Cannot open the world database .*directory exists and is writable/);

      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
      const port = (busy.address() as AddressInfo).port;
      const taken = run(['serve', '--port', String(port), '--db', db]);
      expect(taken.status).not.toBe(0);
      expect(taken.stderr).toMatch(/already in use.*--port/);
      expect(run(['serve', '--port', '', '--db', db]).stderr).toMatch(/--port.*whole number from 0 to 65535/s);
      expect(run(['serve', '--max-sessions-per-principal', '0', '--db', db]).stderr).toMatch(/--max-sessions-per-principal.*whole number from 1/s);
    } finally {
      busy.close();
      cleanup();
    }
  });

  it('serve refuses a wildcard bind without --allowed-host, before touching the database', () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      const r = run(['serve', '--host', '0.0.0.0', '--port', '0', '--db', db]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/--allowed-host/);
      expect(r.stdout).toBe('');
      expect(existsSync(db)).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('serve shuts down cleanly on SIGTERM and SIGINT, leaving a consistent world', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        await new Promise<void>((resolve) => child.stderr.on('data', (d) => ((err += d), /\/mcp/.test(err) && resolve())));
        child.kill(signal);
        const code = await new Promise<number | null>((r) => child.once('exit', r));
        expect(code, err).toBe(0);
        expect(err).toMatch(new RegExp(`${signal}: finishing in-flight requests`));
      }
      expect(run(['check', '--db', db]).status).toBe(0);
    } finally {
      cleanup();
    }
  });
});
