import * as z from 'zod';
import { acceptedContent, completable, inputRequired, ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { PNG_1PX } from './common.ts';

/** The fixture resources and prompts of the conformance suite. `subscribed` keeps 2025-era subscriptions. */
export function registerFixtureResourcesAndPrompts(server: McpServer, subscribed: Set<string>): void {
  // ---------- resources ----------
  server.registerResource('static-text', 'test://static-text', { description: 'static text', mimeType: 'text/plain' }, async uri => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }]
  }));
  server.registerResource('static-binary', 'test://static-binary', { description: 'static binary', mimeType: 'image/png' }, async uri => ({
    contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_1PX }]
  }));
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { description: 'template', mimeType: 'application/json' },
    async (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }]
    })
  );
  server.registerResource('watched-resource', 'test://watched-resource', { description: 'watched', mimeType: 'text/plain' }, async uri => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'watched' }]
  }));
  // 2025-era per-resource subscriptions: bookkeeping is the server's (per instance = per session in hybrid mode).
  server.server.setRequestHandler('resources/subscribe', req => {
    subscribed.add(req.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', req => {
    subscribed.delete(req.params.uri);
    return {};
  });

  // ---------- prompts ----------
  server.registerPrompt('test_simple_prompt', { description: 'simple prompt' }, async () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }]
  }));
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'prompt with arg1/arg2',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), v => ['paris', 'park', 'party'].filter(s => s.startsWith(v))),
        arg2: z.string().describe('Second test argument')
      })
    },
    async ({ arg1, arg2 }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }]
    })
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'prompt with embedded resource', argsSchema: z.object({ resourceUri: z.string() }) },
    async ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } }
      ]
    })
  );
  server.registerPrompt('test_prompt_with_image', { description: 'prompt with image' }, async () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG_1PX, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } }
    ]
  }));
  server.registerPrompt('test_input_required_result_prompt', { description: 'MRTR prompt' }, async ctx => {
    const c = acceptedContent<{ context: string }>(ctx.mcpReq.inputResponses, 'user_context')?.context;
    if (typeof c !== 'string') {
      return inputRequired({
        inputRequests: {
          user_context: inputRequired.elicit({
            message: 'What context should the prompt use?',
            requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] }
          })
        }
      });
    }
    return { messages: [{ role: 'user', content: { type: 'text', text: `context: ${c}` } }] };
  });


}
