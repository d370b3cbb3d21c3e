import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { kernelRefusal, requestPrincipal } from './refusal.ts';
import type { World } from '../world.ts';
import { MAX_WATCHED_URI_CHARS } from './wire.ts';
import type { PrincipalOf } from './tools.ts';

export const ARTIFACT_URI = 'artifact://{id}';
export const STATUS_URI = 'world://status';
export const artifactUri = (id: string) => `artifact://${id}`;

const PAGE = 50;
/** Most URIs one 2025-era connection may subscribe to: each is held in memory for the connection. */
export const MAX_SUBSCRIPTIONS = 1_000;

/**
 * Artifacts as MCP resources, read through the one door (the world's fair queue) as the connected
 * principal (so the read contract applies, fees included), and the world's status. Every request here
 * that touches the world is a command of the caller's, drawn from its `calls` window. resources/list
 * pages with a cursor over what the principal may see; McpServer cannot paginate, so its handler is
 * replaced.
 */
export function registerResources(server: McpServer, world: World, principalOf: PrincipalOf): void {
  const as = (ctx: unknown): string => requestPrincipal(principalOf, ctx);

  server.registerResource(
    'world_status',
    STATUS_URI,
    { title: 'World status', description: 'World time, population, artifacts and money supply.', mimeType: 'application/json' },
    async (uri, ctx) => {
      // The counts are read as the caller's command: a look at its own account pays the call (and is
      // refused when its window is spent), so status reads are metered like any other read.
      const r = await world.submit(as(ctx), 'genesis_world', 'whoami', {});
      if (!r.ok) throw kernelRefusal(r.error);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(worldStatus(world)) }] };
    },
  );

  server.registerResource(
    'artifact',
    // Ids are completed by registerCompletion, as the caller: the SDK's completer gets no request context.
    new ResourceTemplate(ARTIFACT_URI, { list: undefined }),
    { title: 'Artifact', description: 'An artifact with its metadata, content and code, if its contract lets you read it.', mimeType: 'application/json' },
    async (uri, variables, ctx) => {
      const id = String(Array.isArray(variables.id) ? variables.id[0] : variables.id);
      const r = await world.submit(as(ctx), 'genesis_store', 'read', { id });
      if (!r.ok) throw r.error.code === 'NOT_FOUND' ? new ResourceNotFoundError(uri.href) : kernelRefusal(r.error);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(r.value) }] };
    },
  );

  server.server.setRequestHandler('resources/list', async (req, extra) => {
    const cursor = req.params?.cursor;
    const offset = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor '${cursor}': pass the nextCursor of a previous page.`);
    const r = await world.submit(as(extra), 'genesis_store', 'search', { sort: 'id', cursor: offset, limit: PAGE });
    if (!r.ok) throw kernelRefusal(r.error);
    const page = r.value as { results: { id: string; description: string; kind: string }[]; next_cursor: number; has_more: boolean };
    const resources = [
      ...(offset === 0 ? [{ uri: STATUS_URI, name: 'world_status', title: 'World status', mimeType: 'application/json' }] : []),
      ...page.results.map((a) => ({ uri: artifactUri(a.id), name: a.id, description: a.description || `${a.kind} artifact`, mimeType: 'application/json' })),
    ];
    return { resources, ...(page.has_more ? { nextCursor: String(page.next_cursor) } : {}) };
  });
}

/** Registers legacy-era subscribe/unsubscribe (McpServer does not), recording URIs in `subscribed`. */
export function registerSubscriptions(server: McpServer, subscribed: Set<string>): void {
  server.server.setRequestHandler('resources/subscribe', async (req) => {
    if (req.params.uri.length > MAX_WATCHED_URI_CHARS) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `LIMIT_EXCEEDED: a watched URI may be at most ${MAX_WATCHED_URI_CHARS} characters; artifact URIs are artifact://<id>.`);
    }
    if (!subscribed.has(req.params.uri) && subscribed.size >= MAX_SUBSCRIPTIONS) {
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `LIMIT_EXCEEDED: this connection already watches ${MAX_SUBSCRIPTIONS} resources. Unsubscribe from some first.`);
    }
    subscribed.add(req.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (req) => {
    subscribed.delete(req.params.uri);
    return {};
  });
}

export interface WorldStatus {
  world_time: number;
  principals: number;
  artifacts: number;
  latest_event: number;
  scrip_supply: number;
  schema_version: number;
}

export function worldStatus(world: World): WorldStatus {
  const s = world.store;
  const n = (sql: string) => s.one<{ n: number }>(sql)!.n;
  return {
    world_time: world.clock.now(),
    principals: n("SELECT COUNT(*) AS n FROM artifacts WHERE has_standing = 1 AND deleted_at IS NULL AND id NOT LIKE 'genesis\\_%' ESCAPE '\\'"),
    artifacts: n('SELECT COUNT(*) AS n FROM artifacts WHERE deleted_at IS NULL'),
    latest_event: n('SELECT COALESCE(MAX(seq), 0) AS n FROM events'),
    scrip_supply: n("SELECT COALESCE(SUM(balance), 0) AS n FROM accounts WHERE asset = 'scrip'"),
    schema_version: s.schemaVersion(),
  };
}
