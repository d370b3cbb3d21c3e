import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/bridges/definition.ts';
import { BridgeManager, BridgeUnavailable, type BridgeEvent } from '../../src/bridges/manager.ts';

const BRIDGES = new URL('../../bridges', import.meta.url).pathname;
const text = (r: { result: { content?: unknown } }) => JSON.stringify(r.result.content);

describe('the bridge manager, with real upstream servers from npm', () => {
  let dir: string;
  let m: BridgeManager;
  let events: BridgeEvent[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bridges-'));
    events = [];
    m = new BridgeManager(loadDefinitions(BRIDGES, {}), { filesRoot: dir, maxInstances: 3, startTimeoutMs: 15_000, onEvent: (e) => events.push(e) });
  });
  afterEach(async () => {
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts an upstream lazily, once, and shares it among callers of a shared bridge', async () => {
    expect(m.running()).toEqual([]);
    const [a, b] = await Promise.all([m.call('mcp_everything', 'alice', 'echo', { message: 'a' }, 5_000), m.call('mcp_everything', 'bob', 'echo', { message: 'b' }, 5_000)]);
    expect(text(a)).toContain('a');
    expect(text(b)).toContain('b');
    expect(m.running()).toHaveLength(1);
    expect(events.filter((e) => e.type === 'bridge_started')).toHaveLength(1);
  });

  it("gives each principal its own folder and graph: one cannot read another's", async () => {
    await m.call('mcp_filesystem', 'alice', 'write_file', { path: join(dir, 'alice', 'plan.txt'), content: 'secret plan' }, 5_000);
    expect(readFileSync(join(dir, 'alice', 'plan.txt'), 'utf8')).toBe('secret plan');
    const stolen = await m.call('mcp_filesystem', 'bob', 'read_text_file', { path: join(dir, 'alice', 'plan.txt') }, 5_000);
    expect(stolen.result.isError).toBe(true);
    expect(text(stolen)).not.toContain('secret plan');
    await m.call('mcp_memory', 'alice', 'create_entities', { entities: [{ name: 'vault', entityType: 'secret', observations: ['code 1234'] }] }, 5_000);
    const graph = await m.call('mcp_memory', 'bob', 'read_graph', {}, 5_000);
    expect(text(graph)).not.toContain('1234');
    // At the cap of 3, the idlest made room: alice's filesystem.
    expect(m.running().map((r) => `${r.server}/${r.instance}`).sort()).toEqual(['filesystem/bob', 'memory/alice', 'memory/bob']);
    await expect.poll(() => events.some((e) => e.type === 'bridge_stopped' && e.instance === 'alice' && e.reason === 'making room')).toBe(true);
  });

  it('restarts a crashed upstream with backoff; callers meanwhile get a retriable error', async () => {
    await m.call('mcp_everything', 'alice', 'echo', { message: 'x' }, 5_000);
    const pid = m.running()[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => events.some((e) => e.type === 'bridge_crashed')).toBe(true);
    const err = await m.call('mcp_everything', 'alice', 'echo', { message: 'x' }, 5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeUnavailable);
    expect((err as BridgeUnavailable).retryAfterMs).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, (err as BridgeUnavailable).retryAfterMs! + 50));
    expect(text(await m.call('mcp_everything', 'alice', 'echo', { message: 'back' }, 5_000))).toContain('back');
  });

  it('roots principals in absolute folders even when given a relative root (a world opened as world.db)', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    const rel = new BridgeManager(loadDefinitions(BRIDGES, {}), { filesRoot: 'w.db.files', maxInstances: 2, startTimeoutMs: 15_000 });
    try {
      expect(rel.principalDir('alice')).toBe(join(dir, 'w.db.files', 'alice'));
      process.chdir(cwd);
      const r = await rel.call('mcp_filesystem', 'alice', 'list_allowed_directories', {}, 5_000);
      expect(r.result.isError).toBeFalsy();
      expect(text(r)).toContain(join(dir, 'w.db.files', 'alice'));
    } finally {
      process.chdir(cwd);
      await rel.close();
    }
  });

  it('stops idle upstreams, refuses disabled bridges and unsafe principal ids', async () => {
    await m.call('mcp_everything', 'alice', 'echo', { message: 'x' }, 5_000);
    m.sweep(Date.now() + 10 * 60_000);
    await expect.poll(() => m.running().length).toBe(0);
    await expect.poll(() => events.some((e) => e.type === 'bridge_stopped' && e.reason === 'idle')).toBe(true);
    await expect(m.call('mcp_github', 'alice', 'x', {}, 1_000)).rejects.toThrow(/off: GITHUB_TOKEN is not set/);
    await expect(m.call('mcp_nothing', 'alice', 'x', {}, 1_000)).rejects.toThrow(/no bridge/);
    await expect(m.call('mcp_filesystem', '../alice', 'list_directory', { path: '.' }, 1_000)).rejects.toThrow(/folder of its own/);
  });
});
