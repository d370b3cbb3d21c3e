import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions, parseDefinition } from '../../src/bridges/definition.ts';
import { Upstream, forPrincipal } from '../../src/bridges/upstream.ts';

const BRIDGES = new URL('../../bridges', import.meta.url).pathname;

describe('bridge definitions', () => {
  it('loads the pre-seeded definitions: npm servers on, servers needing a key off, saying why', () => {
    const defs = loadDefinitions(BRIDGES, { PATH: process.env.PATH });
    const byName = Object.fromEntries(defs.map((d) => [d.name, d]));
    for (const n of ['filesystem', 'memory', 'sequential-thinking', 'everything', 'fetch']) expect(byName[n]?.disabled, n).toBeNull();
    expect(byName.github!.disabled).toBe('GITHUB_TOKEN is not set');
    expect(byName['brave-search']!.disabled).toBe('BRAVE_API_KEY is not set');
    expect(byName.browser!.disabled).toBe('ECOLOGY_BROWSER_PATH is not set');
    expect(byName['sequential-thinking']!.artifactId).toBe('mcp_sequential_thinking');
    expect(byName.filesystem!.transport).toMatchObject({ kind: 'stdio', command: 'node' });
    // A key that is set is substituted where the definition names it, and nowhere else.
    const gh = loadDefinitions(BRIDGES, { GITHUB_TOKEN: 'ghp_x' }).find((d) => d.name === 'github')!;
    expect(gh.disabled).toBeNull();
    expect(gh.transport).toEqual({ kind: 'http', url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ghp_x' } });
  });

  it('refuses bad definitions with an error naming the file and the problem', () => {
    const bad = (json: unknown) => () => parseDefinition(json, 'x.json', {});
    const eco = { description: 'd' };
    expect(bad({ mcpServers: { a: { command: 'node' }, b: { command: 'node' } }, ecology: eco })).toThrow(/x\.json.*exactly one server/);
    expect(bad({ mcpServers: { 'A B': { command: 'node' } }, ecology: eco })).toThrow(/x\.json.*server name/);
    expect(bad({ mcpServers: { a: { command: 'node', shell: true } }, ecology: eco })).toThrow(/x\.json.*shell/);
    expect(bad({ mcpServers: { a: { url: 'file:///etc/passwd' } }, ecology: eco })).toThrow(/http:\/\/ or https/);
    expect(bad({ mcpServers: { a: { command: 'node', args: ['${principal_dir}'] } }, ecology: eco })).toThrow(/isolation 'principal'/);
    expect(bad({ mcpServers: { a: { command: 'node' } }, ecology: { ...eco, fee: -1 } })).toThrow(/ecology\.fee/);
    expect(parseDefinition({ mcpServers: { a: { command: '${package:no-such-package-here}/x.js' } }, ecology: eco }, 'x.json', {}).disabled).toBe('the npm package no-such-package-here is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'bridges-'));
    try {
      writeFileSync(join(dir, 'broken.json'), '{ not json');
      expect(() => loadDefinitions(dir)).toThrow(/broken\.json: not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an upstream over real stdio', () => {
  it('starts server-everything, lists its tools, calls one, and measures its CPU from /proc', async () => {
    const def = loadDefinitions(BRIDGES, {}).find((d) => d.name === 'everything')!;
    const up = new Upstream(def, def.transport, undefined);
    try {
      const tools = await up.start(10_000);
      expect(tools.map((t) => t.name)).toContain('echo');
      const r = await up.call('echo', { message: 'hello' }, 5_000);
      expect(JSON.stringify(r.result.content)).toContain('hello');
      expect(r.cpuMs).toBeGreaterThanOrEqual(0);
      expect(up.pid).toBeGreaterThan(0);
    } finally {
      await up.close();
    }
  });

  it('roots a principal instance of the filesystem server in its own folder', async () => {
    const def = loadDefinitions(BRIDGES, {}).find((d) => d.name === 'filesystem')!;
    const dir = mkdtempSync(join(tmpdir(), 'fs-'));
    const up = new Upstream(def, forPrincipal(def.transport, dir), dir);
    try {
      await up.start(10_000);
      await up.call('write_file', { path: join(dir, 'a.txt'), content: 'hi' }, 5_000);
      const r = await up.call('read_text_file', { path: join(dir, 'a.txt') }, 5_000);
      expect(JSON.stringify(r.result.content)).toContain('hi');
      const outside = await up.call('read_text_file', { path: '/etc/hostname' }, 5_000);
      expect(outside.result.isError).toBe(true);
    } finally {
      await up.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
