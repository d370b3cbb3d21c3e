import { McpServer, type McpRequestContext } from '@modelcontextprotocol/server';
import { buildHandbook, type HandbookPage } from './handbook/index.ts';
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
}

export function serverParts(world: World): ServerParts {
  return { world, tools: buildTools(world.kernel.registry), handbook: buildHandbook(world.kernel.registry, world.config) };
}

/**
 * The world's McpServer factory. It runs for every 2026-era HTTP request and once per 2025-era
 * session or stdio connection, so it only wires prebuilt parts to the world; all state lives in the
 * database. `subscribed` is given for connections that keep 2025-era resource subscriptions.
 */
export function createFactory(parts: ServerParts, principalOf: PrincipalOf) {
  return (_ctx: McpRequestContext, subscribed: Set<string> | null): McpServer => {
    const server = new McpServer(SERVER_INFO, {
      capabilities: { tools: {}, resources: { subscribe: true, listChanged: false }, prompts: {} },
      instructions: INSTRUCTIONS,
    });
    registerTools(server, parts.tools, parts.world, principalOf);
    registerResources(server, parts.world, principalOf);
    registerPrompts(server, parts.handbook);
    if (subscribed) registerSubscriptions(server, subscribed);
    return server;
  };
}
