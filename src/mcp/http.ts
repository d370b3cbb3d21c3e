import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { hostHeaderValidation, originValidation, requireBearerAuth } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { DEFAULT_SESSION_LIMITS, HybridHandler, type SessionFactory, type SessionLimits } from './hybrid.ts';
import { artifactUri } from './resources.ts';
import { createFactory, serverParts } from './server.ts';
import { ArtifactWatcher } from './watch.ts';
import { MAX_MESSAGE_BYTES, depthRefusal, listenRefusal } from './wire.ts';
import { principalOfAuth } from './principal.ts';
import { admission, DEFAULT_ADMISSION, type AdmissionLimits } from './admission.ts';
import { requestLog, type RequestLogger } from './request-log.ts';
import type { World } from '../world.ts';

export interface HttpOptions {
  port: number;
  host: string;
  /** Extra Host header names to accept (DNS-rebinding protection allows only these and localhost). */
  allowedHosts?: string[];
  /** Browser origins allowed to call, as `scheme://host[:port]` (CORS and Origin validation). */
  allowedOrigins?: string[];
  /** Largest request body, in bytes (413 beyond). */
  maxBodyBytes?: number;
  /** How often to settle due scheduled work in the background (lazy settlement stays the source of truth). */
  tickMs?: number;
  /** How often to look for artifact changes to notify watchers about. */
  watchMs?: number;
  /** At shutdown, how long to wait for in-flight requests to be answered before closing anyway. */
  drainMs?: number;
  /** Limits on 2025-era sessions (connection state held in this process); defaults in DEFAULT_SESSION_LIMITS. */
  sessions?: Partial<SessionLimits>;
  /** Requests in flight per principal and in all, admitted before their bodies are read. */
  admission?: Partial<AdmissionLimits>;
  /** Most open connections (each holds a descriptor). */
  maxConnections?: number;
  /** Where one line per request goes (who, what, outcome, duration); none when absent. */
  logger?: RequestLogger;
  /** Serve something other than the world, without auth (the conformance fixtures). */
  fixtures?: (hybrid: () => HybridHandler) => SessionFactory;
}

export interface RunningHttp {
  url: string;
  handler: HybridHandler;
  /** Stops accepting, finishes what is in flight, and closes the handler (not the world). */
  close(): Promise<void>;
}

const MCP_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'];
const MCP_HEADERS = ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'Mcp-Method', 'Mcp-Name', 'Last-Event-ID'];
/** Bearer tokens do not expire; the SDK needs an expiry, so each verification vouches for an hour. */
const VOUCH_S = 3600;
const LOCALHOST = ['localhost', '127.0.0.1', '[::1]'];

export { principalOfAuth };

export function tokenVerifier(world: World): OAuthTokenVerifier {
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const principal = world.kernel.services.tokens.verify(token);
      if (principal === null) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, 'Unknown, revoked or malformed token, or its principal no longer exists. Ask the operator for a new one (ecology token create).');
      }
      return { token, clientId: principal, scopes: [], expiresAt: Math.floor(Date.now() / 1000) + VOUCH_S, extra: { principal } };
    },
  };
}

const log = (e: Error) => process.stderr.write(`agent-ecology http: ${e.message}\n`);

/** The world's MCP endpoint logic: tools act as the principal the request was authenticated as, and no one else. */
export function worldHandler(world: World, sessions: Partial<SessionLimits> = {}): HybridHandler {
  const factory = createFactory(serverParts(world), (ctx) => principalOfAuth(ctx.http?.authInfo));
  return new HybridHandler(factory, { ...DEFAULT_SESSION_LIMITS, ...sessions, principalOf: principalOfAuth, onerror: log });
}

/**
 * Streamable HTTP on express: Host/Origin validation (403), CORS exposing the MCP headers, a body
 * limit (413), bearer auth (401 with WWW-Authenticate), the MCP endpoint at /mcp, a background ticker,
 * change notifications, and graceful shutdown.
 */
export async function startHttp(world: World | null, opts: HttpOptions): Promise<RunningHttp> {
  requireRebindingProtection(opts);
  const maxBody = opts.maxBodyBytes ?? MAX_MESSAGE_BYTES;
  let handler: HybridHandler;
  if (opts.fixtures) {
    const fixtures = opts.fixtures(() => handler);
    // Fixture clients are anonymous, so all of them are one "principal": only the overall limit applies.
    const limits = { ...DEFAULT_SESSION_LIMITS, ...opts.sessions };
    handler = new HybridHandler(fixtures, { ...limits, maxSessionsPerPrincipal: limits.maxSessions, maxListensPerPrincipal: limits.maxListens, principalOf: () => null, onerror: log });
  } else {
    if (!world) throw new Error('startHttp needs a world unless it serves fixtures');
    handler = worldHandler(world, opts.sessions);
  }
  // Both checks always on, whatever the bind address: a page served from an allowed host name may call.
  const hosts = [...(opts.allowedHosts ?? []), ...boundName(opts.host), ...LOCALHOST];
  const app = express();
  if (opts.logger) app.use(requestLog(opts.logger));
  app.use(hostHeaderValidation(hosts));
  app.use(originValidation([...(opts.allowedOrigins ?? []).map(originHost), ...hosts]));
  // Requests awaiting their answer. Notification streams (a 2025-era GET, a 2026-era listen) never end
  // on their own, so shutdown does not wait for them: closing the handler ends them.
  let inFlight = 0;
  let draining = false;
  app.use('/mcp', (req: Request, res: Response, next: NextFunction) => {
    if (draining) return void res.status(503).set('Retry-After', '1').json({ jsonrpc: '2.0', error: { code: -32000, message: 'The server is shutting down. Reconnect shortly.' }, id: null });
    if (req.method !== 'GET' && req.get('mcp-method') !== 'subscriptions/listen') {
      inFlight++;
      res.on('close', () => inFlight--);
    }
    next();
  });
  app.use('/mcp', (req: Request, res: Response, next: NextFunction) => {
    if (MCP_METHODS.includes(req.method)) return next();
    res.status(405).set('Allow', MCP_METHODS.join(', ')).json({ jsonrpc: '2.0', error: { code: -32000, message: `Method ${req.method} is not allowed on /mcp. Use POST (GET and DELETE for 2025-era sessions).` }, id: null });
  });
  app.use('/mcp', cors({ origin: opts.allowedOrigins ?? false, exposedHeaders: [...MCP_HEADERS, 'WWW-Authenticate'], allowedHeaders: ['Content-Type', 'Authorization', 'Accept', ...MCP_HEADERS] }));
  // Who is asking, and whether it may ask now, is settled from the headers, before the body is read:
  // nobody can make the host parse a body without a token, or more bodies at once than its share.
  if (world) app.use('/mcp', requireBearerAuth({ verifier: tokenVerifier(world) }));
  const admitted = admission({ ...DEFAULT_ADMISSION, ...opts.admission });
  app.use('/mcp', admitted.admit);
  app.use(express.json({ limit: `${maxBody}b` }));
  app.use('/mcp', admitted.streamsLeave);
  // The SDK's own validation would overflow the stack on a message nested thousands deep (a 500).
  app.use('/mcp', (req: Request, res: Response, next: NextFunction) => {
    const refused = depthRefusal(req.body) ?? listenRefusal(req.body);
    if (refused) return void res.status(400).json(refused);
    next();
  });
  const node = toNodeHandler(handler, { maxRequestBodySize: maxBody, onerror: log });
  app.all('/mcp', (req: Request, res: Response) => void node(req as never, res as never, req.body));
  app.use((req: Request, res: Response) => void res.status(404).json({ jsonrpc: '2.0', error: { code: -32000, message: `Nothing is served at ${req.path}. The MCP endpoint is /mcp.` }, id: null }));
  app.use(jsonErrors);

  // Express 5's app.listen hands a failed bind to the callback as success; a plain server reports it.
  const server: Server = createServer(app);
  // A connection costs a descriptor: connections are capped, and one that sends its request slowly is
  // cut off (a trickled body is not a way to hold the host's descriptors).
  server.maxConnections = opts.maxConnections ?? 1_024;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(bindError(err as NodeJS.ErrnoException, opts)));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let scoring = false;
  const tick = (w: World) => {
    try {
      w.settle();
    } catch (err) {
      // A busy database or a failing settler must not take the host down; the next tick or command retries.
      log(err as Error);
    }
    if (w.config.mint.scorer === 'llm' && !scoring) {
      scoring = true;
      void w
        .scorePending()
        .catch(log)
        .finally(() => (scoring = false));
    }
  };
  const ticker = world && setInterval(() => tick(world), opts.tickMs ?? 1000);
  ticker?.unref();
  world?.semantic?.start();
  const watcher = world && new ArtifactWatcher(world, (ids) => ids.forEach((id) => handler.resourceUpdated(artifactUri(id)))).start(opts.watchMs ?? 250);

  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/mcp`,
    handler,
    close: async () => {
      draining = true;
      if (ticker) clearInterval(ticker);
      watcher?.stop();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const deadline = Date.now() + (opts.drainMs ?? 10_000);
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await handler.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

/** The Host name a client uses to reach a specific bind address (none for a wildcard). */
function boundName(host: string): string[] {
  if (isWildcard(host)) return [];
  return [host.includes(':') ? `[${host}]` : host];
}

/**
 * A wildcard bind answers to any name, so the Host names clients will use must be given: without them
 * the SDK turns Host and Origin validation off, and any web page could reach the world through DNS
 * rebinding. A specific address or name is accepted as its own Host.
 */
export function requireRebindingProtection(opts: Pick<HttpOptions, 'host' | 'allowedHosts'>): void {
  if (!isWildcard(opts.host) || (opts.allowedHosts?.length ?? 0) > 0) return;
  throw new Error(
    `Binding to ${opts.host} answers on every interface, so name the Host header clients will use with --allowed-host (repeatable), for example --allowed-host world.example.org. Requests naming any other host are refused (403).`,
  );
}

/** A failed bind, said as what to do about it. */
function bindError(err: NodeJS.ErrnoException, opts: Pick<HttpOptions, 'host' | 'port'>): Error {
  const where = `${opts.host} port ${opts.port}`;
  if (err.code === 'EADDRINUSE') return new Error(`${where} is already in use. Stop the other server, or pick another port with --port (0 picks a free one).`);
  if (err.code === 'EACCES') return new Error(`Binding ${where} needs privileges this process lacks. Use a port above 1023.`);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    return new Error(`${opts.host} is not an address of this machine. Bind 127.0.0.1 (the default), 0.0.0.0 with --allowed-host, or one of this machine's addresses.`);
  }
  return new Error(`Cannot listen on ${where}: ${err.message}`);
}

/** The hostname of an origin, as the SDK's Origin validation compares it (IPv6 in brackets). */
function originHost(origin: string): string {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    throw new Error(`allowed origin '${origin}' is not of the form scheme://host[:port]`);
  }
  return host;
}

/** Body-parser failures as JSON-RPC errors, not Express's HTML pages with stack traces. */
function jsonErrors(err: { type?: string; status?: number; message?: string; body?: string }, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const reply = (status: number, code: number, message: string) => void res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
  if (err?.type === 'entity.too.large') return reply(413, -32000, 'Request body too large. Send less data per call (store large inputs in an artifact).');
  if (err?.type === 'entity.parse.failed') {
    // The JSON parser in strict mode also refuses bare values (42, null, "text"): valid JSON, not a message.
    if (isJson(err.body)) return reply(400, -32600, 'Invalid Request: the body must be a JSON-RPC 2.0 message object.');
    return reply(400, -32700, 'Parse error: the request body is not valid JSON.');
  }
  // The body parser's other refusals (unsupported charset or Content-Encoding, a body that does not
  // decode) are the client's to fix: pass on its status and message.
  const status = err?.status ?? 500;
  if (status >= 400 && status < 500) return reply(status, -32600, `Invalid Request: ${err.message ?? 'the request body cannot be read'}. Send UTF-8 JSON, uncompressed or gzip/deflate.`);
  reply(500, -32603, 'Internal server error.');
}

const isJson = (text: string | undefined): boolean => {
  if (text === undefined) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
