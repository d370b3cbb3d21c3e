import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '@modelcontextprotocol/client';
import { World } from '../../src/world.ts';
import { callError, callOk, httpClient, serveWorld, tokenFor } from '../helpers/mcp.ts';
import { stateOf } from '../helpers/world.ts';
import type { RunningHttp } from '../../src/mcp/http.ts';

const MODERN = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' };
const discover = (id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'server/discover',
  params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } },
});

/** The status of a raw server/discover POST to 127.0.0.1, with headers (Host, Origin) no fetch would let us set. */
const discoverStatus = (port: number, headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...MODERN, 'mcp-method': 'server/discover', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify(discover()));
  });

describe('HTTP endpoint: authentication and bad input', () => {
  let world: World;
  let http: RunningHttp;
  let alice: string;

  beforeAll(async () => {
    world = await World.open({});
    for (const p of ['alice', 'bob', 'carol']) world.createPrincipal(p);
    http = await serveWorld(world);
    alice = tokenFor(world, 'alice');
  });
  afterAll(async () => {
    await http.close();
    expect(world.check().violations).toEqual([]);
    await world.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(http.url, { method: 'POST', headers: { ...MODERN, authorization: `Bearer ${alice}`, 'mcp-method': 'server/discover', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('refuses a request with no token, an unknown token or a malformed header with 401 and WWW-Authenticate', async () => {
    for (const auth of [undefined, 'Bearer eco_0000000000000000_' + 'x'.repeat(43), 'Bearer nonsense', 'Basic abc']) {
      const res = await fetch(http.url, { method: 'POST', headers: { ...MODERN, 'mcp-method': 'server/discover', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(discover()) });
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    }
  });

  it('refuses a revoked token and a token whose principal was deleted', async () => {
    const bobToken = tokenFor(world, 'bob');
    expect((await post(discover(), { authorization: `Bearer ${bobToken}` })).status).toBe(200);
    expect(world.invoke(world.operator, 'genesis_world', 'revoke_token', { target: 'bob' }).ok).toBe(true);
    expect((await post(discover(), { authorization: `Bearer ${bobToken}` })).status).toBe(401);

    const carolToken = tokenFor(world, 'carol');
    expect((await post(discover(), { authorization: `Bearer ${carolToken}` })).status).toBe(200);
    // carol gives away her scrip and budget, then deletes herself.
    expect(world.invoke('carol', 'genesis_ledger', 'transfer', { to: 'alice', amount: 100 }).ok).toBe(true);
    expect(world.invoke('carol', 'genesis_rights', 'transfer', { to: 'alice', resource: 'llm_budget_micro_usd', amount: 1_000_000 }).ok).toBe(true);
    const del = world.invoke('carol', 'genesis_store', 'delete', { id: 'carol' });
    expect(del.ok, JSON.stringify(del)).toBe(true);
    const res = await post(discover(), { authorization: `Bearer ${carolToken}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('refuses a 2025-era session to any principal but the one that opened it (403), changing nothing', async () => {
    const legacy = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(http.url, {
      method: 'POST',
      headers: { ...legacy, authorization: `Bearer ${alice}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    const session = init.headers.get('mcp-session-id');
    expect(session).toBeTruthy();
    await init.body?.cancel();
    const before = stateOf(world);
    const hijack = await fetch(http.url, {
      method: 'POST',
      headers: { ...legacy, authorization: `Bearer ${tokenFor(world, 'bob')}`, 'mcp-session-id': session!, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ledger_transfer', arguments: { to: 'bob', amount: 1 } } }),
    });
    expect(hijack.status).toBe(403);
    expect(await hijack.json()).toMatchObject({ error: { message: expect.stringMatching(/another principal/) } });
    expect(stateOf(world)).toBe(before);
  });

  it('rejects a bad Host or Origin with 403 (DNS-rebinding protection)', async () => {
    const port = Number(new URL(http.url).port);
    const raw = (headers: Record<string, string>) => discoverStatus(port, { authorization: `Bearer ${alice}`, ...headers });
    expect(await raw({ host: 'evil.example.com' })).toBe(403);
    expect(await raw({ host: `localhost:${port}`, origin: 'http://evil.example.com' })).toBe(403);
    expect(await raw({ host: `localhost:${port}` })).toBe(200);
  });

  it('refuses to bind every interface unless the Host names are given, and then checks Host and Origin', async () => {
    const { startHttp } = await import('../../src/mcp/http.ts');
    await expect(startHttp(world, { port: 0, host: '0.0.0.0' })).rejects.toThrow(/--allowed-host/);
    const wide = await startHttp(world, { port: 0, host: '0.0.0.0', allowedHosts: ['world.example.org'] });
    try {
      const port = Number(new URL(wide.url).port);
      const status = (headers: Record<string, string>) => discoverStatus(port, { authorization: `Bearer ${alice}`, ...headers });
      expect(await status({ host: 'evil.example.com' })).toBe(403);
      expect(await status({ host: `world.example.org:${port}`, origin: 'http://evil.example.com' })).toBe(403);
      expect(await status({ host: `world.example.org:${port}` })).toBe(200);
      expect(await status({ host: `world.example.org:${port}`, origin: `http://world.example.org:${port}` })).toBe(200);
    } finally {
      await wide.close();
    }
  });

  it('answers an oversize body with 413 and malformed JSON with a JSON-RPC parse error', async () => {
    const big = await post({ ...discover(), padding: 'x'.repeat(3 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: -32000 } });
    const bad = await post('{ not json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('refuses a message nested thousands deep with 400, and deep arguments with INVALID_ARGS (regression: a 500)', async () => {
    const before = stateOf(world);
    const call = (depth: number) => {
      const body = JSON.stringify({ ...discover(7), method: 'tools/call', params: { ...discover().params, name: 'ledger_balance', arguments: { principal: 'X' } } });
      return post(body.replace('"X"', '['.repeat(depth) + ']'.repeat(depth)), { 'mcp-method': 'tools/call', 'mcp-name': 'ledger_balance' });
    };
    const deep = await call(5_000);
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ id: 7, error: { code: -32600, message: expect.stringMatching(/levels deep/) } });
    const text = await (await call(200)).text();
    expect(text).toMatch(/INVALID_ARGS/);
    expect(text).toMatch(/max_args_depth/);
    expect(stateOf(world)).toBe(before);
  });

  it('answers unreadable bodies, bare JSON values, other methods and other paths with JSON errors, never 500 or HTML', async () => {
    const encoding = await post(JSON.stringify(discover()), { 'content-encoding': 'bogus' });
    expect(encoding.status).toBe(415);
    expect(await encoding.json()).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/encoding/) } });
    const gzip = await post(JSON.stringify(discover()), { 'content-encoding': 'gzip' });
    expect(gzip.status).toBe(400);
    expect(await gzip.json()).toMatchObject({ error: { code: -32600 } });
    for (const bare of ['42', 'null', '"text"']) {
      const res = await post(bare);
      expect(res.status, bare).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/message object/) } });
    }
    const put = await fetch(http.url, { method: 'PUT', headers: { authorization: `Bearer ${alice}` }, body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toMatch(/POST/);
    expect(await put.json()).toMatchObject({ error: { message: expect.stringMatching(/not allowed/) } });
    const elsewhere = await fetch(new URL('/nothing-here', http.url));
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toMatchObject({ error: { message: expect.stringMatching(/endpoint is \/mcp/) } });
  });

  it('refuses malformed JSON-RPC and a bad protocol version header with clear errors', async () => {
    const malformed = await post({ jsonrpc: '2.0', id: 1, method: 42 });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    const unsupported = await post(discover(), { 'mcp-protocol-version': '1999-01-01' });
    expect(unsupported.status).toBe(400);
    expect(JSON.stringify(await unsupported.json())).toMatch(/version/i);
  });

  it('exposes the MCP headers to allowed browser origins only', async () => {
    const preflight = await fetch(http.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
    // No origin is allowed unless configured: no CORS grant.
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const w2 = await World.open({});
    const h2 = await (await import('../../src/mcp/http.ts')).startHttp(w2, { port: 0, host: '127.0.0.1', allowedOrigins: ['http://app.example.com'] });
    try {
      const ok = await fetch(h2.url, { method: 'OPTIONS', headers: { origin: 'http://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,mcp-protocol-version' } });
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://app.example.com');
      expect(ok.headers.get('access-control-allow-headers')).toMatch(/Mcp-Protocol-Version/i);
      const exposed = await fetch(h2.url, { method: 'POST', headers: { ...MODERN, origin: 'http://app.example.com' }, body: JSON.stringify(discover()) });
      expect(exposed.headers.get('access-control-expose-headers')).toMatch(/Mcp-Session-Id/);
    } finally {
      await h2.close();
      await w2.close();
    }
  });

  it.each(['legacy', 'modern'] as const)('unknown tools, wrong types, missing and oversize arguments change nothing (%s era)', async (era) => {
    const client = await httpClient(http.url, alice, era);
    try {
      const before = stateOf(world);
      await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toBeInstanceOf(ProtocolError);
      expect((await callError(client, 'ledger_transfer', { to: 'bob', amount: 'ten' })).code).toBe('INVALID_ARGS');
      expect((await callError(client, 'ledger_transfer', { to: 'bob' })).message).toMatch(/amount/);
      expect((await callError(client, 'ledger_transfer', { amount: 3 })).message).toMatch(/to/);
      expect((await callError(client, 'artifact_write', { id: 'big', content: 'x'.repeat(600 * 1024) })).code).toBe('INVALID_ARGS');
      expect((await callError(client, 'ledger_transfer', { to: 'bob', amount: 1, idempotency_key: '' })).code).toBe('INVALID_ARGS');
      expect(stateOf(world)).toBe(before);
      // The same client can still work afterwards.
      expect((await callOk(client, 'ledger_balance', {})).principal).toBe('alice');
    } finally {
      await client.close();
    }
  });
});
