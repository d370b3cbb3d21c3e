import * as z from 'zod';
import { McpServer } from '@modelcontextprotocol/server';

/**
 * The cheapest useful tool: returns its argument. Same SDK, same registration style as the world's tools.
 * `work`, if given, runs before each answer (the bench's storage-floor diagnostic).
 */
export function echoServer(work?: () => void): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    'echo',
    {
      description: 'Returns its input.',
      inputSchema: z.object({ text: z.string() }),
      outputSchema: z.object({ text: z.string() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ text }) => {
      work?.();
      return { content: [{ type: 'text', text }], structuredContent: { text } };
    },
  );
  return server;
}
