import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startHttp, type RunningHttp } from '../../src/mcp/http.ts';
import type { World } from '../../src/world.ts';

export const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
export const ERAS = ['legacy', 'modern'] as const;
export type Era = (typeof ERAS)[number];

export function tokenFor(world: World, principal: string): string {
  const r = world.invoke(world.operator, 'genesis_world', 'create_token', { principal });
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as { token: string }).token;
}

export async function serveWorld(world: World): Promise<RunningHttp> {
  return startHttp(world, { port: 0, host: '127.0.0.1', watchMs: 50, tickMs: 1000 });
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
