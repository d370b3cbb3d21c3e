import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { HybridHandler } from './hybrid.ts';

export interface InProcessOptions {
  /** Protocol era: 'auto' (default) speaks 2026-07-28; 'legacy' speaks 2025-11-25. */
  era?: 'auto' | 'legacy';
  clientName?: string;
}

/**
 * An MCP client connected to the world's handler in this process, with no socket: what hosted agents
 * use. It is authenticated as `principal` by construction (the handler is ours, so there is no token
 * to check), and goes through exactly the same tools, resources and kernel door as any remote client.
 */
export async function connectInProcess(handler: HybridHandler, principal: string, opts: InProcessOptions = {}): Promise<Client> {
  const auth: AuthInfo = { token: `in-process:${principal}`, clientId: principal, scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 365 * 86_400, extra: { principal } };
  const client = new Client({ name: opts.clientName ?? `in-process:${principal}`, version: '0.1.0' }, opts.era === 'legacy' ? {} : { versionNegotiation: { mode: 'auto' } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('http://in-process/mcp'), {
      fetch: (url, init) => handler.fetch(new Request(url, init), { authInfo: auth }),
    }),
  );
  return client;
}
