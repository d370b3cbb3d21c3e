import { McpServer, type McpRequestContext } from '@modelcontextprotocol/server';
import { registerInputRequiredTools, stateCodec } from './input-required.ts';
import { registerFixtureResourcesAndPrompts } from './resources.ts';
import { registerFixtureTools } from './tools.ts';
import type { ConformanceNotifier } from './common.ts';
import type { HybridHandler, SessionFactory } from '../hybrid.ts';

/**
 * The official MCP conformance suite's fixture server, served by `ecology serve --conformance-fixtures`
 * on the same HTTP wiring as the world (the hybrid 2025/2026 handler, express, Host/Origin checks).
 * It is a separate server, not the world: it proves the wiring, not the economy.
 */
export function conformanceFactory(handler: () => HybridHandler): SessionFactory {
  const notify: ConformanceNotifier = () => handler().modern.notify;
  return (_ctx: McpRequestContext, subscribed: Set<string> | null) => {
    const server = new McpServer(
      { name: 'agent-ecology-conformance-fixtures', version: '0.1.0' },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          prompts: { listChanged: true },
          logging: {},
          completions: {},
        },
        requestState: { verify: stateCodec.verify },
      },
    );
    registerFixtureTools(server, notify);
    registerInputRequiredTools(server);
    registerFixtureResourcesAndPrompts(server, subscribed ?? new Set());
    return server;
  };
}
