import { ProtocolError, ProtocolErrorCode, type McpServer } from '@modelcontextprotocol/server';
import { kernelRefusal, requestPrincipal } from './refusal.ts';
import { ARTIFACT_URI, STATUS_URI } from './resources.ts';
import type { PrincipalOf } from './tools.ts';
import type { World } from '../world.ts';

/** Candidates asked of the store per completion; MCP allows at most 100 values in a reply. */
const CANDIDATES = 50;

const none = { completion: { values: [], hasMore: false } };

/**
 * completion/complete, answered as the connected principal. The SDK's own handler calls a template's
 * completer without the request context, so it could only search as someone else (the operator: free,
 * unmetered, and able to see what the caller may not). Here an artifact id completion is a store
 * search through the one door: it takes a call from the caller's window, is refused with RATE_LIMITED
 * like any call, and offers only ids whose contracts let the caller see them.
 */
export function registerCompletion(server: McpServer, world: World, principalOf: PrincipalOf, prompts: ReadonlySet<string>): void {
  server.server.registerCapabilities({ completions: {} });
  server.server.setRequestHandler('completion/complete', async (req, ctx) => {
    const { ref, argument } = req.params;
    if (ref.type === 'ref/prompt') {
      if (!prompts.has(ref.name)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `No prompt named '${ref.name}'. List them with prompts/list.`);
      return none; // Handbook pages take no arguments.
    }
    if (ref.uri === STATUS_URI) return none;
    if (ref.uri !== ARTIFACT_URI) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `No resource template '${ref.uri}'. This server completes ${ARTIFACT_URI}.`);
    if (argument.name !== 'id') return none;
    const value = argument.value;
    const r = await world.submit(requestPrincipal(principalOf, ctx), 'genesis_store', 'search', { ...(value === '' ? {} : { query: value }), sort: 'id', limit: CANDIDATES });
    if (!r.ok) throw kernelRefusal(r.error);
    const page = r.value as { results: { id: string }[]; has_more: boolean };
    // The search matches words anywhere (descriptions too); a completion offers ids that start with the value.
    return { completion: { values: page.results.map((a) => a.id).filter((id) => id.startsWith(value)), hasMore: page.has_more } };
  });
}
