import type { Client } from '@modelcontextprotocol/client';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';

/** The tools an agent's model is offered: this server's MCP tools, as OpenAI function tools. */
export interface AgentTools {
  names: ReadonlySet<string>;
  openai: ChatCompletionFunctionTool[];
}

/**
 * Lists the server's tools over the agent's own MCP client (every page) and converts them once. The
 * world's tools come from the genesis registry, so they change only with the build: caching them for the
 * client's life is what the protocol allows without a list_changed notification.
 */
export async function listAgentTools(client: Client): Promise<AgentTools> {
  const openai: ChatCompletionFunctionTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    for (const t of page.tools) {
      openai.push({ type: 'function', function: { name: t.name, description: (t.description ?? t.title ?? t.name).slice(0, 1_024), parameters: t.inputSchema as Record<string, unknown> } });
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { names: new Set(openai.map((t) => t.function.name)), openai };
}
