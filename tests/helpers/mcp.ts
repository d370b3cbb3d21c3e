import { afterAll, beforeAll, expect } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startHttp, type HttpOptions, type RunningHttp } from '../../src/mcp/http.ts';
import { World, type OpenWorldOptions } from '../../src/world.ts';

export const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
export const ERAS = ['legacy', 'modern'] as const;
export type Era = (typeof ERAS)[number];

export function tokenFor(world: World, principal: string): string {
  const r = world.invoke(world.operator, 'genesis_world', 'create_token', { principal });
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as { token: string }).token;
}

export async function serveWorld(world: World, opts: Partial<HttpOptions> = {}): Promise<RunningHttp> {
  return startHttp(world, { port: 0, host: '127.0.0.1', watchMs: 50, tickMs: 1000, ...opts });
}

export interface ServedWorld {
  world: World;
  http: RunningHttp;
  /** A bearer token per principal. */
  tokens: Record<string, string>;
}

/**
 * One world served over HTTP for a describe block, with a token per principal; afterwards the server
 * stops, the invariant checker must pass and the world closes.
 */
export function useServedWorld(principals: string[], world: OpenWorldOptions = {}, http: Partial<HttpOptions> = {}): () => ServedWorld {
  let served: ServedWorld | undefined;
  beforeAll(async () => {
    const w = await World.open(world);
    const tokens: Record<string, string> = {};
    for (const p of principals) {
      const r = w.createPrincipal(p);
      if (!r.ok) throw new Error(r.error.message);
      tokens[p] = tokenFor(w, p);
    }
    served = { world: w, http: await serveWorld(w, http), tokens };
  });
  afterAll(async () => {
    if (!served) return;
    await served.http.close();
    const report = served.world.check();
    await served.world.close();
    expect(report.violations).toEqual([]);
  });
  return () => {
    if (!served) throw new Error('world not served');
    return served;
  };
}

const clientOptions = (era: Era) => (era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' as const } } } : {});

export async function httpClient(url: string, token: string | null, era: Era): Promise<Client> {
  const client = new Client({ name: `test-${era}`, version: '1.0.0' }, clientOptions(era));
  await client.connect(new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {}));
  return client;
}

export async function stdioClient(db: string, principal: string, era: Era): Promise<Client> {
  const client = new Client({ name: `test-stdio-${era}`, version: '1.0.0' }, clientOptions(era));
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [BIN, 'stdio', '--as', principal, '--db', db], stderr: 'pipe', env: { ...(process.env as Record<string, string>) } }),
  );
  return client;
}

/** The structured result of a tool call; throws with the error text if the call failed. */
export async function callOk<T = any>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.structuredContent ?? r.content)}`);
  return r.structuredContent as T;
}

/** The structured error of a tool call that must fail. */
export async function callError(client: Client, name: string, args: Record<string, unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const r = await client.callTool({ name, arguments: args });
  if (!r.isError) throw new Error(`${name} should have failed but returned ${JSON.stringify(r.structuredContent)}`);
  return (r.structuredContent as { error: { code: string; message: string; details: Record<string, unknown> } }).error;
}
