import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/world.ts';
import { World } from '../../src/world.ts';
import { callOk, stdioClient } from '../helpers/mcp.ts';

const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
const everything = new URL('../../bridges/everything.json', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('ecology bridge', () => {
  it('init registers the bridges; list says which are on, which are off and why', () => {
    const tmp = tempDir();
    try {
      const db = join(tmp.dir, 'w.db');
      expect(run(['init', '--db', db, '--as', 'alice']).status).toBe(0);
      const env = { GITHUB_TOKEN: '' };
      const list = run(['bridge', 'list', '--db', db, '--json'], env);
      expect(list.status, list.stderr).toBe(0);
      const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; state: string; tools: number | null });
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(byId.mcp_everything).toMatchObject({ state: 'on' });
      expect(byId.mcp_everything!.tools).toBeGreaterThan(5);
      expect(byId.mcp_github!.state).toBe('off: GITHUB_TOKEN is not set');
      const text = run(['bridge', 'list', '--db', db], env);
      expect(text.stdout).toMatch(/mcp_fetch\s+on\s+shared\s+fee 2/);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  const rowsOf = (stdout: string) => Object.fromEntries(stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; state: string; tools: number | null; source: string; fee: number }).map((r) => [r.id, r]));

  it('add (a file, a Claude Desktop block, a name and a command), remove, restart: kept in the world, clear errors for bad input', () => {
    const tmp = tempDir();
    try {
      const db = join(tmp.dir, 'w.db');
      expect(run(['init', '--db', db, '--as', 'alice']).status).toBe(0);
      const entry = JSON.parse(spawnSync('cat', [everything], { encoding: 'utf8' }).stdout).mcpServers.everything;
      // A Claude Desktop config, pasted: two servers, no settings of the world's.
      const desktop = join(tmp.dir, 'claude_desktop_config.json');
      writeFileSync(desktop, JSON.stringify({ mcpServers: { 'echo-a': entry, 'echo-b': entry } }));
      const added = run(['bridge', 'add', desktop, '--db', db]);
      expect(added.status, added.stderr).toBe(0);
      expect(added.stdout).toContain('added mcp_echo_a');
      // A name and the command after --, with the world's settings as flags.
      const byCommand = run(['bridge', 'add', 'echo-c', '--fee', '3', '--description', 'Echoes, dearly', '--db', db, '--', entry.command, ...entry.args]);
      expect(byCommand.status, byCommand.stderr).toBe(0);
      let rows = rowsOf(run(['bridge', 'list', '--db', db, '--json']).stdout);
      expect(rows.mcp_echo_a).toMatchObject({ state: 'on', source: 'this world (ecology bridge add)', fee: 0 });
      expect(rows.mcp_echo_c).toMatchObject({ state: 'on', fee: 3 });
      expect(rows.mcp_echo_c!.tools).toBeGreaterThan(5);

      // Removing a pre-seeded server: its artifact stays, off; adding it back restores it.
      expect(run(['bridge', 'remove', 'sequential-thinking', '--db', db]).status).toBe(0);
      rows = rowsOf(run(['bridge', 'list', '--db', db, '--json']).stdout);
      expect(rows.mcp_sequential_thinking!.state).toMatch(/^off: removed/);
      const restart = run(['bridge', 'restart', 'echo-c', '--db', db]);
      expect(restart.status, restart.stderr).toBe(0);
      expect(restart.stdout).toContain('restarting mcp_echo_c');

      // Bad input: clear errors, nothing kept.
      const unknown = run(['bridge', 'remove', 'no-such', '--db', db]);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('NOT_FOUND');
      const badName = run(['bridge', 'add', 'Bad_Name', '--db', db, '--', 'node', 'x.js']);
      expect(badName.status).toBe(1);
      expect(badName.stderr).toMatch(/INVALID_ARGS.*server name/);
      const notJson = run(['bridge', 'add', join(tmp.dir, 'missing.json'), '--db', db]);
      expect(notJson.status).toBe(2);
      expect(notJson.stderr).toContain('cannot read');
      const shared = run(['bridge', 'add', 'bad-dir', '--db', db, '--', 'node', '${principal_dir}']);
      expect(shared.status).toBe(1);
      expect(shared.stderr).toContain("needs isolation 'principal'");
      rows = rowsOf(run(['bridge', 'list', '--db', db, '--json']).stdout);
      expect(rows.mcp_bad_name).toBeUndefined();
      expect(rows.mcp_bad_dir).toBeUndefined();
    } finally {
      tmp.cleanup();
    }
  }, 120_000);
});

describe("a serving process follows the operator's bridge changes made by another process", () => {
  it('sees a server added, removed and restarted through the event log, and keeps the config file\'s own servers', async () => {
    const tmp = tempDir();
    const entry = JSON.parse(spawnSync('cat', [everything], { encoding: 'utf8' }).stdout).mcpServers.everything;
    const db = join(tmp.dir, 'w.db');
    // The config file's servers, in Claude Desktop's format, with settings by name.
    const config = { bridges: { mcpServers: { 'from-config': entry }, settings: { 'from-config': { description: 'Configured echo', fee: 2 } } } };
    const serving = await World.open({ path: db, config });
    const cli = await World.open({ path: db });
    try {
      serving.createPrincipal('alice');
      serving.followBridges(60_000);
      expect(await serving.registerBridges({ only: ['mcp_from_config'] })).toEqual({});
      expect(serving.kernel.services.artifacts.get('mcp_from_config')).toMatchObject({ kind: 'bridge', can_execute: true });
      const echo = (id: string) => serving.submit('alice', 'genesis_store', 'invoke', { id, method: 'echo', args: { message: 'hi' } });
      expect((await echo('mcp_from_config')).ok).toBe(true);

      expect((await cli.submit(cli.operator, 'genesis_bridges', 'define', { definition: { mcpServers: { later: entry }, ecology: { description: 'Added later', fee: 4 } } })).ok).toBe(true);
      expect(await serving.bridgeHost!.poll()).toBe(1);
      const r = await echo('mcp_later');
      expect(r.ok, JSON.stringify(r)).toBe(true);

      expect((await cli.submit(cli.operator, 'genesis_bridges', 'remove', { server: 'later' })).ok).toBe(true);
      expect(await serving.bridgeHost!.poll()).toBe(1);
      const gone = await echo('mcp_later');
      expect(!gone.ok && JSON.stringify(gone.error.details)).toMatch(/removed/);
      expect(serving.bridges!.running().some((i) => i.server === 'later')).toBe(false);

      const before = serving.bridges!.running().find((i) => i.server === 'from-config')!.pid;
      expect((await cli.submit(cli.operator, 'genesis_bridges', 'restart', { server: 'from-config' })).ok).toBe(true);
      expect(await serving.bridgeHost!.poll()).toBe(1);
      expect((await echo('mcp_from_config')).ok).toBe(true);
      expect(serving.bridges!.running().find((i) => i.server === 'from-config')!.pid).not.toBe(before);
      // Only the operator changes bridges.
      const denied = await serving.submit('alice', 'genesis_bridges', 'define', { definition: { mcpServers: { mine: entry } } });
      expect(!denied.ok && denied.error.code).toBe('ACCESS_DENIED');
      expect(serving.check().violations).toEqual([]);
    } finally {
      await cli.close();
      await serving.close();
      tmp.cleanup();
    }
  }, 120_000);
});

describe('ecology stdio calls bridges', () => {
  it('a client of ecology stdio calls a bridge registered by init, and pays its fee', async () => {
    const tmp = tempDir();
    const db = join(tmp.dir, 'w.db');
    try {
      expect(run(['init', '--db', db, '--as', 'alice']).status).toBe(0);
      const alice = await stdioClient(db, 'alice', 'modern');
      try {
        const before = (await callOk(alice, 'ledger_balance', {})).balances.scrip;
        const r = await callOk(alice, 'artifact_invoke', { id: 'mcp_everything', method: 'echo', args: { message: 'over stdio' } });
        expect(r.result).toMatchObject({ untrusted: true, source: 'mcp_everything.echo', content: [{ type: 'text', text: 'Echo: over stdio' }] });
        expect((await callOk(alice, 'ledger_balance', {})).balances.scrip).toBe(before - 1);
      } finally {
        await alice.close();
      }
      expect(run(['check', '--db', db]).status).toBe(0);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
