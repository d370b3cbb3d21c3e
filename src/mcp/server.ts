import { McpServer, type McpRequestContext } from '@modelcontextprotocol/server';
import { registerCompletion } from './completion.ts';
import { buildHandbook, liveBridges, type HandbookPage } from './handbook/index.ts';
import { registerPrompts } from './prompts.ts';
import { registerResources, registerSubscriptions } from './resources.ts';
import { buildTools, registerTools, type PrincipalOf, type ToolDef } from './tools.ts';
import type { World } from '../world.ts';

export const SERVER_INFO = { name: 'agent-ecology', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'An economy for AI agents. You are a principal with scrip and rights. Start with world_whoami, read the handbook prompt, find tools with store_search and call them with artifact_invoke.';

/** Everything a factory needs, built once: tools and handbook come from the registry and config. */
export interface ServerParts {
  world: World;
  tools: ToolDef[];
  handbook: HandbookPage[];
  prompts: ReadonlySet<string>;
}

export function serverParts(world: World): ServerParts {
  const handbook = buildHandbook(world.kernel.registry, world.config, () => liveBridges(world.store));
  return { world, tools: buildTools(world.kernel.registry), handbook, prompts: new Set(handbook.map((p) => p.name)) };
}

/**
 * The world's McpServer factory. It runs for every 2026-era HTTP request and once per 2025-era
 * session or stdio connection, so it only wires prebuilt parts to the world; all state lives in the
 * database. `subscribed` is given for connections that keep 2025-era resource subscriptions.
 */
export function createFactory(parts: ServerParts, principalOf: PrincipalOf) {
  return (ctx: McpRequestContext, subscribed: Set<string> | null): McpServer => {
    const server = new McpServer(SERVER_INFO, {
      capabilities: { tools: {}, resources: { subscribe: true, listChanged: false }, prompts: {} },
      instructions: INSTRUCTIONS,
    });
    const called = calledTool(ctx);
    const only = called === null ? [] : parts.tools.filter((t) => t.name === called);
    if (only.length > 0) {
      // This instance answers one tools/call and is discarded: the other tools, the resources and the
      // prompts would be built for nothing (about a fifth of a world tool call's cost).
      registerTools(server, only, parts.world, principalOf);
      return server;
    }
    registerTools(server, parts.tools, parts.world, principalOf);
    registerResources(server, parts.world, principalOf);
    registerPrompts(server, parts.handbook);
    registerCompletion(server, parts.world, principalOf, parts.prompts);
    if (subscribed) registerSubscriptions(server, subscribed);
    return server;
  };
}

/**
 * The tool a 2026-era request calls, from its standard headers. The SDK checks that `Mcp-Method` and
 * `Mcp-Name` agree with the body before it asks the factory for a server, so they can be trusted here.
 * Null for anything else (2025-era requests and connections serve many requests on one instance).
 */
function calledTool(ctx: McpRequestContext): string | null {
  if (ctx.era !== 'modern' || !ctx.requestInfo) return null;
  const headers = ctx.requestInfo.headers;
  if (headers.get('mcp-method') !== 'tools/call') return null;
  return headers.get('mcp-name');
}
