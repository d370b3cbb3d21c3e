import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { World } from '../../src/world.ts';
import { callOk, httpClient, serveWorld, stdioClient, tokenFor, type Era } from '../helpers/mcp.ts';
import { tempDir } from '../helpers/world.ts';
import { MIGRATIONS } from '../../src/kernel/db/migrations.ts';
import type { RunningHttp } from '../../src/mcp/http.ts';

/** Resolves with the first resources/updated notification for `uri`, or rejects after `ms`. */
function nextUpdate(client: Client, uri: string, ms = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no notification for ${uri} within ${ms} ms`)), ms);
    client.setNotificationHandler('notifications/resources/updated', (n) => {
      if (n.params.uri === uri) {
        clearTimeout(timer);
        resolve(n.params.uri);
      }
    });
  });
}

async function watch(client: Client, uri: string): Promise<void> {
  if (client.getProtocolEra() === 'modern') await client.listen({ resourceSubscriptions: [uri] });
  else await client.subscribeResource({ uri });
}

describe('resources', () => {
  let world: World;
  let http: RunningHttp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    world = await World.open({ config: { principal_defaults: { calls: 10_000 } } });
    for (const p of ['alice', 'bob']) {
      world.createPrincipal(p);
      tokens[p] = tokenFor(world, p);
    }
    for (let i = 0; i < 120; i++) expect(world.invoke('alice', 'genesis_store', 'write', { id: `note${String(i).padStart(3, '0')}`, content: `note ${i}` }).ok).toBe(true);
    world.invoke('alice', 'genesis_store', 'write', { id: 'secret', content: 'hidden', access_contract_id: 'genesis_contract_private' });
    http = await serveWorld(world);
  });
  afterAll(async () => {
    await http.close();
    expect(world.check().violations).toEqual([]);
    await world.close();
  });

  it.each(['legacy', 'modern'] as Era[])('lists every artifact the caller may see, page by page, plus world status (%s era)', async (era) => {
    const bob = await httpClient(http.url, tokens.bob!, era);
    try {
      const all = await bob.listResources();
      const uris = all.resources.map((r) => r.uri);
      expect(uris.filter((u) => u === 'world://status')).toHaveLength(1);
      expect(uris.filter((u) => u.startsWith('artifact://note'))).toHaveLength(120);
      expect(uris).not.toContain('artifact://secret');
      const first = await bob.listResources({ cursor: '0' });
      expect(first.nextCursor).toBeDefined();
      expect(first.resources.length).toBeLessThanOrEqual(51);
      await expect(bob.listResources({ cursor: 'bogus' })).rejects.toBeInstanceOf(ProtocolError);
      const templates = await bob.listResourceTemplates();
      expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain('artifact://{id}');
    } finally {
      await bob.close();
    }
  });

  it.each(['legacy', 'modern'] as Era[])('reads through the read contract, and says why it cannot (%s era)', async (era) => {
    const bob = await httpClient(http.url, tokens.bob!, era);
    const alice = await httpClient(http.url, tokens.alice!, era);
    try {
      const note = await bob.readResource({ uri: 'artifact://note001' });
      expect(JSON.parse((note.contents[0] as { text: string }).text)).toMatchObject({ id: 'note001', content: 'note 1', owner: 'alice' });
      await expect(bob.readResource({ uri: 'artifact://secret' })).rejects.toThrow(/ACCESS_DENIED/);
      expect(JSON.parse(((await alice.readResource({ uri: 'artifact://secret' })).contents[0] as { text: string }).text).content).toBe('hidden');
      await expect(bob.readResource({ uri: 'artifact://nothing_here' })).rejects.toThrow(/not found/i);
      const status = JSON.parse(((await bob.readResource({ uri: 'world://status' })).contents[0] as { text: string }).text);
      expect(status).toMatchObject({ principals: 2, scrip_supply: 200, schema_version: MIGRATIONS.length });
    } finally {
      await bob.close();
      await alice.close();
    }
  });

  it.each(['legacy', 'modern'] as Era[])('notifies a watcher over HTTP when the artifact changes (%s era)', async (era) => {
    const bob = await httpClient(http.url, tokens.bob!, era);
    try {
      await watch(bob, 'artifact://note005');
      const got = nextUpdate(bob, 'artifact://note005');
      // A change made by anyone, through any door, reaches the watcher.
      expect(world.invoke('alice', 'genesis_store', 'write', { id: 'note005', content: 'edited' }).ok).toBe(true);
      expect(await got).toBe('artifact://note005');
    } finally {
      await bob.close();
    }
  });

  it.each(['legacy', 'modern'] as Era[])('notifies a stdio watcher when another process changes the artifact (%s era)', async (era) => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      const setup = await World.open({ path: db });
      setup.createPrincipal('alice');
      setup.createPrincipal('bob');
      setup.invoke('alice', 'genesis_store', 'write', { id: 'doc', content: 'v1' });
      await setup.close();
      const bob = await stdioClient(db, 'bob', era);
      const writer = await World.open({ path: db });
      try {
        await watch(bob, 'artifact://doc');
        const got = nextUpdate(bob, 'artifact://doc');
        expect(writer.invoke('alice', 'genesis_store', 'write', { id: 'doc', content: 'v2' }).ok).toBe(true);
        expect(await got).toBe('artifact://doc');
        expect((await callOk(bob, 'artifact_read', { id: 'doc' })).content).toBe('v2');
      } finally {
        await bob.close();
        await writer.close();
      }
    } finally {
      cleanup();
    }
  });
});
