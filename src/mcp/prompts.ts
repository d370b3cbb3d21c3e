import type { McpServer } from '@modelcontextprotocol/server';
import type { HandbookPage } from './handbook/index.ts';

/** The handbook as MCP prompts: one per page, each a user message carrying the page. */
export function registerPrompts(server: McpServer, pages: readonly HandbookPage[]): void {
  for (const p of pages) {
    server.registerPrompt(p.name, { title: p.title, description: p.description }, async () => ({
      description: p.description,
      messages: [{ role: 'user', content: { type: 'text', text: p.text } }],
    }));
  }
}
