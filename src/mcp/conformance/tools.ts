import * as z from 'zod';
import { fromJsonSchema, inputRequired, type McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { PNG_1PX, WAV_EMPTY, sleep, text, type ConformanceNotifier } from './common.ts';

const noArgs = z.object({});

/**
 * The fixture tools the official conformance suite calls by name: content types, errors, logging,
 * progress, 2025-era sampling and elicitation, JSON Schema 2020-12, header mirroring, and the 2026
 * stateless diagnostics. Names, arguments and texts are the suite's contract.
 */
export function registerFixtureTools(server: McpServer, notify: ConformanceNotifier): void {
  // ---------- tools: 2025 + 2026 ----------
  server.registerTool('test_simple_text', { description: 'simple text' }, async () =>
    text('This is a simple text response for testing.')
  );
  server.registerTool('test_image_content', { description: 'image content' }, async () => ({
    content: [{ type: 'image', data: PNG_1PX, mimeType: 'image/png' }]
  }));
  server.registerTool('test_audio_content', { description: 'audio content' }, async () => ({
    content: [{ type: 'audio', data: WAV_EMPTY, mimeType: 'audio/wav' }]
  }));
  server.registerTool('test_embedded_resource', { description: 'embedded resource' }, async () => ({
    content: [
      {
        type: 'resource',
        resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' }
      }
    ]
  }));
  server.registerTool('test_multiple_content_types', { description: 'text + image + resource' }, async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PNG_1PX, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' }
      }
    ]
  }));
  server.registerTool('test_error_handling', { description: 'always fails' }, async () => {
    throw new Error('This tool intentionally returns an error for testing');
  });
  server.registerTool('test_tool_with_logging', { description: 'logs 3 messages', inputSchema: noArgs }, async (_a, ctx) => {
    await ctx.mcpReq.log('info', 'Tool execution started');
    await sleep(50);
    await ctx.mcpReq.log('info', 'Tool processing data');
    await sleep(50);
    await ctx.mcpReq.log('info', 'Tool execution completed');
    return text('logging done');
  });
  server.registerTool('test_tool_with_progress', { description: 'reports progress 0/50/100', inputSchema: noArgs }, async (_a, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (token !== undefined) {
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, total: 100 } });
      }
      if (progress < 100) await sleep(50);
    }
    return text('progress done');
  });
  server.registerTool(
    'test_sampling',
    { description: 'asks the client LLM (2025 push-style)', inputSchema: z.object({ prompt: z.string() }) },
    async ({ prompt }, ctx) => {
      const r = await ctx.mcpReq.requestSampling({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 });
      const c = r.content as { type?: string; text?: string };
      return text(`LLM response: ${c?.text ?? JSON.stringify(r.content)}`);
    }
  );
  server.registerTool(
    'test_elicitation',
    { description: 'asks the user (2025 push-style)', inputSchema: z.object({ message: z.string() }) },
    async ({ message }, ctx) => {
      const r = await ctx.mcpReq.elicitInput({
        mode: 'form',
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" }
          },
          required: ['username', 'email']
        }
      });
      return text(`User response: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
    }
  );
  server.registerTool('test_elicitation_sep1034_defaults', { description: 'SEP-1034 defaults', inputSchema: noArgs }, async (_a, ctx) => {
    const r = await ctx.mcpReq.elicitInput({
      mode: 'form',
      message: 'Review the prefilled fields',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', default: 'John Doe' },
          age: { type: 'integer', default: 30 },
          score: { type: 'number', default: 95.5 },
          status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', default: true }
        }
      }
    });
    return text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
  });
  server.registerTool('test_elicitation_sep1330_enums', { description: 'SEP-1330 enums', inputSchema: noArgs }, async (_a, ctx) => {
    const choices = (prefix: string, labels: string[]) => labels.map((title, i) => ({ const: `${prefix}${i + 1}`, title }));
    const r = await ctx.mcpReq.elicitInput({
      mode: 'form',
      message: 'Pick options',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          titledSingle: { type: 'string', oneOf: choices('value', ['First Option', 'Second Option', 'Third Option']) },
          legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
          untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
          titledMulti: { type: 'array', items: { anyOf: choices('value', ['First Choice', 'Second Choice', 'Third Choice']) } }
        }
      }
    } as Parameters<ServerContext['mcpReq']['elicitInput']>[0]);
    return text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
  });
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'JSON Schema 2020-12 keywords',
      inputSchema: fromJsonSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
        properties: {
          name: { type: 'string' },
          address: { $ref: '#/$defs/address' },
          contactMethod: { type: 'string', enum: ['phone', 'email'] },
          phone: { type: 'string' },
          email: { type: 'string' }
        },
        allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
        if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
        then: { required: ['phone'] },
        else: { required: ['email'] },
        additionalProperties: false
      })
    },
    async args => text(`called with ${JSON.stringify(args)}`)
  );
  server.registerTool(
    'test_x_mcp_header',
    {
      description: 'SEP-2243 Mcp-Param-* mirrored argument',
      // 'x-mcp-header' is not in the SDK's JSON Schema type, hence the cast.
      inputSchema: fromJsonSchema<{ region?: string }>({
        type: 'object',
        properties: { region: { type: 'string', 'x-mcp-header': 'Region' } }
      } as Parameters<typeof fromJsonSchema>[0])
    },
    async args => text(`region=${args.region ?? '<none>'}`)
  );


  // ---------- tools: 2026-07-28 (server-stateless diagnostics) ----------
  server.registerTool('test_missing_capability', { description: 'needs client sampling capability', inputSchema: noArgs }, async (_a, ctx) => {
    if (ctx.mcpReq.inputResponses?.['answer'] === undefined) {
      return inputRequired({
        inputRequests: {
          answer: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'say pong' } }], maxTokens: 8 })
        }
      });
    }
    return text('sampled');
  });
  server.registerTool('test_streaming_elicitation', { description: 'plain result, no top-level requests', inputSchema: noArgs }, async () =>
    text('ok')
  );
  server.registerTool('test_logging_tool', { description: 'logs via ctx.mcpReq.log (gated by _meta logLevel)', inputSchema: noArgs }, async (_a, ctx) => {
    await ctx.mcpReq.log('info', 'test_logging_tool ran');
    return text('ok');
  });
  server.registerTool('test_trigger_tool_change', { description: 'publishes tools/list_changed', inputSchema: noArgs }, async () => {
    notify().toolsChanged();
    return text('published');
  });
  server.registerTool('test_trigger_prompt_change', { description: 'publishes prompts/list_changed', inputSchema: noArgs }, async () => {
    notify().promptsChanged();
    return text('published');
  });


}
