import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeArtifact, openTestWorld, stateOf, type TestWorld } from '../helpers/world.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';

const value = <T = any>(r: InvokeResult): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};
const scrip = (t: TestWorld, p: string) => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip as number;

describe('bridges in a world: upstream MCP servers as artifacts, called from clients and from code', () => {
  let t: TestWorld;
  beforeAll(async () => {
    process.env.WORLD_SECRET_FOR_TEST = 'do-not-leak-4471';
    t = await openTestWorld({ principals: ['alice', 'bob'] });
    const failed = await t.world.registerBridges();
    expect(failed).toEqual({});
  }, 60_000);
  afterAll(async () => {
    delete process.env.WORLD_SECRET_FOR_TEST;
    const report = t.world.check();
    await t.world.close();
    expect(report.violations).toEqual([]);
  });
  const invoke = (as: string, id: string, method: string, args: Record<string, unknown>) => t.world.submit(as, 'genesis_store', 'invoke', { id, method, args });

  it('registers one artifact per server from its tool list; upstream text is marked untrusted; keyless servers are off', () => {
    const everything = t.peek('genesis_store', 'info', { id: 'mcp_everything' });
    expect(everything).toMatchObject({ kind: 'bridge', owner: 'genesis_operator', can_execute: true });
    const methods = everything.interface.map((m: { name: string }) => m.name);
    expect(methods).toEqual(expect.arrayContaining(['echo', 'get-env', 'trigger-long-running-operation']));
    expect(everything.interface.every((m: { description: string }) => m.description.startsWith('[upstream text, untrusted]'))).toBe(true);
    expect(t.peek('genesis_store', 'info', { id: 'mcp_github' })).toMatchObject({ kind: 'bridge', can_execute: false });
    const found = t.ok('alice', 'genesis_store', 'search', { query: 'knowledge graph' }).results.map((r: { id: string }) => r.id);
    expect(found).toContain('mcp_memory');
    // Nobody else may write, delete or squat a bridge id.
    t.fail('alice', 'genesis_store', 'write', { id: 'mcp_everything', content: 'x' }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_store', 'write', { id: 'mcp_new', content: 'x' }, 'ACCESS_DENIED');
  });

  it('a client calls a bridge: untrusted result, the fee burned, the outcome kept with the command, no secret of the world upstream', async () => {
    const before = scrip(t, 'alice');
    const r = await invoke('alice', 'mcp_everything', 'echo', { message: 'hello bridge' });
    const v = value(r);
    expect(v).toMatchObject({ untrusted: true, source: 'mcp_everything.echo' });
    expect(JSON.stringify(v.content)).toContain('hello bridge');
    expect(scrip(t, 'alice')).toBe(before - 1);
    const row = t.world.store.one<{ outside: string }>('SELECT outside FROM commands WHERE id = ?', r.command_id)!;
    expect(JSON.parse(row.outside)).toMatchObject([{ artifact: 'mcp_everything', tool: 'echo', caller: 'alice' }]);
    const events = t.world.store.all<{ type: string }>("SELECT type FROM events WHERE command_id = ? AND type = 'bridge_call'", r.command_id);
    expect(events).toHaveLength(1);
    const env = JSON.stringify(value(await invoke('alice', 'mcp_everything', 'get-env', {})).content);
    expect(env).not.toContain('do-not-leak-4471');
    // Arguments failing the upstream's schema are refused by the door, before any call and any fee.
    const bad = await invoke('alice', 'mcp_everything', 'echo', { message: 42 });
    expect(!bad.ok && bad.error.code).toBe('INVALID_ARGS');
    const direct = t.call('alice', 'mcp_everything', 'echo', { message: 'x' });
    expect(!direct.ok && direct.error.code).toBe('UPSTREAM_ERROR');
  });

  it('code calls a bridge (the command runs again with the outcome recorded); code that fails after the call changes nothing but the charge and the fee of the call it made', async () => {
    const code = `export function shout({ text }) { const r = invoke('mcp_everything', 'echo', { message: text }); return { said: r.content[0].text.toUpperCase(), untrusted: r.untrusted }; }
export function boom({ text }) { invoke('mcp_everything', 'echo', { message: text }); invoke('genesis_ledger', 'transfer', { to: 'bob', amount: 1 }); throw new Error('after the call'); }
export function sneaky({ text }) { try { invoke('mcp_everything', 'echo', { message: text }); } catch (e) {} return 'swallowed'; }`;
    t.ok('alice', 'genesis_store', 'write', { ...codeArtifact('wrap', code, [{ name: 'shout', price: 2 }, { name: 'boom' }, { name: 'sneaky' }]), has_standing: true });
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'wrap', amount: 10 });
    const aliceBefore = scrip(t, 'alice');
    const r = await invoke('bob', 'wrap', 'shout', { text: 'quiet' });
    expect(value(r)).toEqual({ said: 'ECHO: QUIET', untrusted: true });
    // bob paid wrap's price to alice; wrap (the immediate caller) paid the bridge's fee.
    expect(scrip(t, 'alice')).toBe(aliceBefore + 2);
    expect(scrip(t, 'wrap')).toBe(9);
    const before = JSON.parse(stateOf(t.world));
    const failed = await invoke('bob', 'wrap', 'boom', { text: 'x' });
    expect(!failed.ok && failed.error.code).toBe('EXECUTION_ERROR');
    // The call was made, so its fee was burned when it was made; the transfer after it rolled back.
    const after = JSON.parse(stateOf(t.world));
    expect(after.journal.slice(before.journal.length)).toMatchObject([{ kind: 'burn', from_id: 'wrap', amount: 1, cause: 'price:mcp_everything.echo' }]);
    expect({ ...after, journal: [], accounts: after.accounts.filter((a: { principal: string }) => a.principal !== 'wrap') }).toEqual({ ...before, journal: [], accounts: before.accounts.filter((a: { principal: string }) => a.principal !== 'wrap') });
    // Code that swallows the stop still gets its call made and answered in the next run.
    expect(value(await invoke('bob', 'wrap', 'sneaky', { text: 'y' }))).toBe('swallowed');
  });

  it("regression: an upstream schema the door cannot compile made its tool uncallable (sequentialthinking, everything's gzip-file-as-resource)", async () => {
    // Ajv's strict mode refuses sequentialthinking's union types, and interfaces refuse 'format': such a schema is kept permissive.
    expect(t.peek('genesis_store', 'info', { id: 'mcp_sequential_thinking' }).interface[0].inputSchema).toEqual({ type: 'object' });
    const gzip = t.peek('genesis_store', 'info', { id: 'mcp_everything' }).interface.find((m: { name: string }) => m.name === 'gzip-file-as-resource');
    expect(gzip.inputSchema).toEqual({ type: 'object' });
    const thought = { thought: 'A first thought.', thoughtNumber: 1, totalThoughts: 1, nextThoughtNeeded: false };
    const r = value(await invoke('alice', 'mcp_sequential_thinking', 'sequentialthinking', thought));
    expect(JSON.stringify(r.content)).toContain('thoughtNumber');
    // The upstream still checks its own arguments.
    const bad = await invoke('alice', 'mcp_sequential_thinking', 'sequentialthinking', { thought: 42 });
    expect(!bad.ok && bad.error.code).toBe('UPSTREAM_ERROR');
  });

  it('guards run before the upstream: SSRF targets and path escapes are refused; each principal has its own folder', async () => {
    for (const url of ['http://127.0.0.1:8787/mcp', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/', 'http://10.0.0.1/']) {
      const r = await invoke('alice', 'mcp_fetch', 'fetch_html', { url });
      expect(!r.ok && r.error.code, url).toBe('ACCESS_DENIED');
    }
    value(await invoke('alice', 'mcp_filesystem', 'write_file', { path: 'notes.txt', content: 'alice only' }));
    const mine = value(await invoke('alice', 'mcp_filesystem', 'read_text_file', { path: 'notes.txt' }));
    expect(JSON.stringify(mine.content)).toContain('alice only');
    for (const path of ['../alice/notes.txt', `${t.world.bridges!.principalDir('alice')}/notes.txt`, '~/notes.txt', '%2e%2e/alice/notes.txt']) {
      const r = await invoke('bob', 'mcp_filesystem', 'read_text_file', { path });
      expect(!r.ok && r.error.code, path).toBe('ACCESS_DENIED');
    }
    const own = await invoke('bob', 'mcp_filesystem', 'read_text_file', { path: 'notes.txt' });
    expect(!own.ok && own.error.code).toBe('UPSTREAM_ERROR');
  });

  it('a slow upstream never holds the write lock: other commands commit while calls wait', async () => {
    const started = performance.now();
    const slow = Array.from({ length: 3 }, () => invoke('alice', 'mcp_everything', 'trigger-long-running-operation', { duration: 1, steps: 1 }));
    let lastCommit = 0;
    for (let i = 0; i < 10; i++) {
      value(await t.world.submit('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1 }));
      lastCommit = performance.now() - started;
    }
    const results = await Promise.all(slow);
    const slowMs = performance.now() - started;
    for (const r of results) value(r);
    expect(lastCommit).toBeLessThan(slowMs);
    expect(slowMs).toBeGreaterThan(900);
  });
});
