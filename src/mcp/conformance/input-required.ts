import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  inputRequired,
  ProtocolError,
  ProtocolErrorCode,
  type ClientCapabilities,
  type InputRequests,
  type McpServer,
} from '@modelcontextprotocol/server';
import { text } from './common.ts';

const noArgs = z.object({});

/** requestState is sealed so a tampered retry is refused before the handler runs. One key per process. */
export const stateCodec = createRequestStateCodec<Record<string, unknown>>({ key: crypto.getRandomValues(new Uint8Array(32)) });

/** The 2026-07-28 multi-round-trip fixtures (SEP-2322): tools that answer input_required first. */
export function registerInputRequiredTools(server: McpServer): void {
  // ---------- tools: 2026-07-28 multi-round-trip (SEP-2322) ----------
  const askName = () =>
    inputRequired.elicit({
      message: 'What is your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }
    });
  server.registerTool('test_input_required_result_elicitation', { description: 'MRTR elicitation', inputSchema: noArgs }, async (_a, ctx) => {
    const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'user_name')?.name;
    if (typeof name !== 'string') return inputRequired({ inputRequests: { user_name: askName() } });
    return text(`Hello, ${name}!`);
  });
  server.registerTool('test_input_required_result_sampling', { description: 'MRTR sampling', inputSchema: noArgs }, async (_a, ctx) => {
    const r = ctx.mcpReq.inputResponses?.['capital_question'] as { content?: { text?: string } } | undefined;
    if (!r) {
      return inputRequired({
        inputRequests: {
          capital_question: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
            maxTokens: 100
          })
        }
      });
    }
    return text(`Sampling response: ${r.content?.text ?? JSON.stringify(r)}`);
  });
  server.registerTool('test_input_required_result_list_roots', { description: 'MRTR roots', inputSchema: noArgs }, async (_a, ctx) => {
    const r = ctx.mcpReq.inputResponses?.['client_roots'] as { roots?: { uri: string }[] } | undefined;
    if (!Array.isArray(r?.roots)) return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    return text(`roots: ${r.roots.map(x => x.uri).join(', ')}`);
  });
  server.registerTool('test_input_required_result_request_state', { description: 'MRTR requestState', inputSchema: noArgs }, async (_a, ctx) => {
    const ok = acceptedContent(ctx.mcpReq.inputResponses, 'confirm');
    if (!ok) {
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({
            message: 'Please confirm',
            requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }
          })
        },
        requestState: await stateCodec.mint({ t: 'rs', n: randomUUID() })
      });
    }
    if (ctx.mcpReq.requestState() === undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'missing requestState');
    return text('state-ok');
  });
  server.registerTool('test_input_required_result_multiple_inputs', { description: 'MRTR multi', inputSchema: noArgs }, async (_a, ctx) => {
    const rs = ctx.mcpReq.inputResponses;
    const name = acceptedContent<{ name: string }>(rs, 'user_name')?.name;
    const greeting = (rs?.['greeting'] as { content?: { text?: string } } | undefined)?.content?.text;
    const roots = (rs?.['client_roots'] as { roots?: unknown[] } | undefined)?.roots;
    if (typeof name !== 'string' || typeof greeting !== 'string' || !Array.isArray(roots)) {
      return inputRequired({
        inputRequests: {
          user_name: askName(),
          greeting: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
            maxTokens: 50
          }),
          client_roots: inputRequired.listRoots()
        },
        requestState: await stateCodec.mint({ t: 'multi', n: randomUUID() })
      });
    }
    return text(`${greeting} ${name} (${roots.length} roots)`);
  });
  server.registerTool('test_input_required_result_multi_round', { description: 'MRTR 2 rounds', inputSchema: noArgs }, async (_a, ctx) => {
    const st = ctx.mcpReq.requestState<{ round?: number; name?: string }>();
    const round = typeof st?.round === 'number' ? st.round : 0;
    if (round === 0) {
      return inputRequired({
        inputRequests: {
          step1: inputRequired.elicit({
            message: 'Step 1: What is your name?',
            requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }
          })
        },
        requestState: await stateCodec.mint({ round: 1, n: randomUUID() })
      });
    }
    if (round === 1) {
      const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'step1')?.name ?? '?';
      return inputRequired({
        inputRequests: {
          step2: inputRequired.elicit({
            message: 'Step 2: What is your favorite color?',
            requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] }
          })
        },
        requestState: await stateCodec.mint({ round: 2, name, n: randomUUID() })
      });
    }
    const color = acceptedContent<{ color: string }>(ctx.mcpReq.inputResponses, 'step2')?.color ?? '?';
    return text(`done: ${st?.name} likes ${color}`);
  });
  server.registerTool('test_input_required_result_tampered_state', { description: 'MRTR integrity', inputSchema: noArgs }, async (_a, ctx) => {
    if (ctx.mcpReq.requestState() !== undefined && acceptedContent(ctx.mcpReq.inputResponses, 'confirm')) return text('integrity-ok');
    return inputRequired({
      inputRequests: {
        confirm: inputRequired.elicit({
          message: 'Please confirm',
          requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }
        })
      },
      requestState: await stateCodec.mint({ t: 'tamper', n: randomUUID() })
    });
  });
  server.registerTool('test_input_required_result_capabilities', { description: 'MRTR capability-aware', inputSchema: noArgs }, async (_a, ctx) => {
    if (ctx.mcpReq.inputResponses !== undefined) return text('fulfilled');
    // 2.4.0's d.ts types RequestMetaEnvelope as {}, hence the cast.
    const caps = (ctx.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined)?.[CLIENT_CAPABILITIES_META_KEY];
    const reqs: InputRequests = {};
    if (caps?.elicitation) reqs.user_name = askName();
    if (caps?.sampling) {
      reqs.greeting = inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10 });
    }
    if (caps?.roots) reqs.client_roots = inputRequired.listRoots();
    if (Object.keys(reqs).length === 0) return text('no input kinds declared');
    return inputRequired({ inputRequests: reqs });
  });


}
