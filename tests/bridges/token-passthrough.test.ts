import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { World } from '../../src/world.ts';
import type { RunningHttp } from '../../src/mcp/http.ts';
import { ERAS, callOk, serveWorld, tokenFor, type Era } from '../helpers/mcp.ts';
import { bridgeFolder, startHttpUpstream, type HttpUpstream } from '../helpers/bridges.ts';

const UPSTREAM_KEY = 'operator-key-for-upstream-4242';
const COOKIE = 'session=alice-cookie-8675309';
const MARKER = 'caller-marker-31337';

/**
 * Token passthrough: an authenticated client calls a Streamable HTTP upstream through the world. The upstream
 * (a real SDK server in its own process) records every request's headers; none carries anything of the
 * caller's, even when the caller puts its token into the arguments, which go through as data.
 */
describe("a caller's token, cookies and headers never reach an upstream; only its definition's headers do", () => {
  let world: World;
  let http: RunningHttp;
  let web: HttpUpstream;
  let folder: ReturnType<typeof bridgeFolder>;
  let token: string;
  beforeAll(async () => {
    web = await startHttpUpstream();
    process.env.ECOLOGY_TEST_UPSTREAM_KEY = UPSTREAM_KEY;
    folder = bridgeFolder({ web: { server: { url: web.url, headers: { 'X-Api-Key': '${env:ECOLOGY_TEST_UPSTREAM_KEY}' } }, ecology: { description: 'An HTTP upstream that records headers.', fee: 1 } } });
    world = await World.open({ config: { bridges: { folder: folder.dir } } });
    expect(world.createPrincipal('alice').ok).toBe(true);
    token = tokenFor(world, 'alice');
    expect(await world.registerBridges()).toEqual({});
    http = await serveWorld(world);
  }, 60_000);
  afterAll(async () => {
    delete process.env.ECOLOGY_TEST_UPSTREAM_KEY;
    await http.close();
    const report = world.check();
    await world.close();
    web.stop();
    folder.cleanup();
    expect(report.violations).toEqual([]);
  });

  it.each(ERAS)('over the world’s HTTP MCP server (%s era)', async (era: Era) => {
    const client = new Client({ name: `token-test-${era}`, version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
    await client.connect(
      new StreamableHTTPClientTransport(new URL(http.url), {
        requestInit: { headers: { Authorization: `Bearer ${token}`, Cookie: COOKIE, 'X-Caller-Marker': MARKER, 'X-Forwarded-Authorization': `Bearer ${token}` } },
      }),
    );
    try {
      const seenBefore = (await web.recorded()).length;
      const args = { headers: { Authorization: `Bearer ${token}`, Cookie: COOKIE }, authorization: `Bearer ${token}`, cookie: COOKIE, token };
      const r = await callOk(client, 'artifact_invoke', { id: 'mcp_web', method: 'echo', args });
      expect(r.result).toMatchObject({ untrusted: true, source: 'mcp_web.echo' });
      // The arguments went through as data: that is what the caller asked for.
      expect(JSON.parse(r.result.content[0].text)).toEqual(args);
      const seen = (await web.recorded()).slice(seenBefore);
      expect(seen.length).toBeGreaterThan(0);
      for (const req of seen) {
        const names = Object.keys(req.headers);
        for (const banned of ['authorization', 'cookie', 'proxy-authorization', 'x-caller-marker', 'x-forwarded-authorization']) expect(names, `${req.method} ${req.url}`).not.toContain(banned);
        expect(req.headers['x-api-key']).toBe(UPSTREAM_KEY);
        const values = JSON.stringify(req.headers);
        for (const secret of [token, token.slice(-16), COOKIE, MARKER]) expect(values).not.toContain(secret);
      }
    } finally {
      await client.close();
    }
    expect(world.check().violations).toEqual([]);
  });
});
