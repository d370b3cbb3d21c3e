import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { World } from '../../src/world.ts';
import { startHttp, type RunningHttp } from '../../src/mcp/http.ts';
import { callOk, httpClient, tokenFor } from '../helpers/mcp.ts';

/** Resolves on the first resources/updated notification for `uri`. */
const updated = (client: Client, uri: string) =>
  new Promise<void>((resolve) =>
    client.setNotificationHandler('notifications/resources/updated', (n) => {
      if (n.params.uri === uri) resolve();
    }),
  );

/**
 * Regression: shutdown counted open notification streams as in-flight requests, so with any watcher
 * connected SIGTERM waited out the whole drain deadline (10 s) before closing.
 */
describe('HTTP shutdown with notification streams open', () => {
  let world: World;
  let http: RunningHttp;

  beforeEach(async () => {
    world = await World.open({});
    world.createPrincipal('alice');
    // A drain deadline no test would outlive: if close() waited on a stream, the test would time out.
    http = await startHttp(world, { port: 0, host: '127.0.0.1', watchMs: 50, drainMs: 10 * 60_000 });
  });
  afterEach(async () => {
    expect(world.check().violations).toEqual([]);
    await world.close();
  });

  it('closes at once, ending a 2025-era session stream and a 2026-era listen stream', async () => {
    const token = tokenFor(world, 'alice');
    const uri = 'artifact://watched';
    expect(world.invoke('alice', 'genesis_store', 'write', { id: 'watched', content: 'v1' }).ok).toBe(true);
    const legacy = await httpClient(http.url, token, 'legacy');
    const modern = await httpClient(http.url, token, 'modern');
    await legacy.subscribeResource({ uri });
    await modern.listen({ resourceSubscriptions: [uri] });
    // Both streams are open once a change reaches both clients through them.
    const both = Promise.all([updated(legacy, uri), updated(modern, uri)]);
    await callOk(legacy, 'artifact_write', { id: 'watched', content: 'v2' });
    await both;

    await http.close();
    await expect(fetch(http.url, { method: 'POST' })).rejects.toThrow();
    await Promise.allSettled([legacy.close(), modern.close()]);
  });
});
