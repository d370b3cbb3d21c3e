import { DEFAULT_SESSION_LIMITS, type SessionLimits } from './session-limits.ts';
import { randomUUID } from 'node:crypto';
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type McpHandlerRequestOptions,
  type McpHttpHandler,
  type McpRequestContext,
  type McpServer,
} from '@modelcontextprotocol/server';
import type { FetchLikeMcpHandler } from '@modelcontextprotocol/node';
import { StreamQuota, closable } from './streams.ts';



export interface HybridOptions extends SessionLimits {
  /** Who a request acts as, to bind a session to the principal that opened it. */
  principalOf: (auth: AuthInfo | undefined) => string | null;
  onerror: (e: Error) => void;
}

interface Session {
  id: string;
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  principal: string | null;
  subscribed: Set<string>;
  lastSeen: number;
}

/** A server factory that also reports, for 2025-era sessions, the URIs the client subscribed to. */
export type SessionFactory = (ctx: McpRequestContext, subscribed: Set<string> | null) => McpServer;

const isListen = (body: unknown): boolean => typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'subscriptions/listen';

const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers });

/**
 * One endpoint for both protocol eras. 2026-07-28 requests go to the SDK's stateless per-request
 * handler. 2025-era clients get a session (an McpServer kept for the connection), because their
 * server-to-client requests (sampling, elicitation), subscriptions and notification stream only work
 * on a connection that persists. Sessions are connection state, never world state: losing one costs
 * the client a reconnect, nothing else.
 */
export { DEFAULT_SESSION_LIMITS, type SessionLimits };

export class HybridHandler implements FetchLikeMcpHandler {
  readonly modern: McpHttpHandler;
  private readonly sessions = new Map<string, Session>();
  /** Sessions being initialized, by principal: counted against the limits before they exist. */
  private readonly opening = new Map<string | null, number>();
  private openingTotal = 0;
  private readonly listens: StreamQuota;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly factory: SessionFactory,
    private readonly opts: HybridOptions,
  ) {
    this.modern = createMcpHandler((ctx) => factory(ctx, null), {
      legacy: 'reject',
      onerror: opts.onerror,
      maxRequestBodySize: 8 * 1024 * 1024,
      // Our quota admits and evicts fairly; the SDK's own cap (which refuses whoever comes last) sits
      // above it, with room for streams being torn down after an eviction.
      maxSubscriptions: opts.maxListens + 64,
    });
    this.listens = new StreamQuota(opts.maxListensPerPrincipal, opts.maxListens);
    this.sweeper = setInterval(() => this.sweep(), Math.min(opts.idleMs, 60_000));
    this.sweeper.unref();
  }

  async fetch(request: Request, options: McpHandlerRequestOptions = {}): Promise<Response> {
    let opts = options;
    if (opts.parsedBody === undefined && request.method === 'POST') {
      // In-process callers hand over a raw Request; routing needs the parsed message.
      try {
        opts = { ...opts, parsedBody: await request.clone().json() };
      } catch {
        return rpcError(400, -32700, 'Parse error: the request body is not valid JSON.');
      }
    }
    if (await isLegacyRequest(request, opts.parsedBody)) return this.legacy(request, opts);
    if (isListen(opts.parsedBody)) return this.listen(request, opts);
    return this.modern.fetch(request, opts);
  }

  /** A 2026-era notification stream, counted against its principal's limit until it ends. */
  private async listen(request: Request, opts: McpHandlerRequestOptions): Promise<Response> {
    const principal = this.opts.principalOf(opts.authInfo);
    const admission = this.listens.acquire(principal);
    if ('refused' in admission) {
      if (admission.refused === 'principal') {
        return rpcError(
          429,
          -32000,
          `You already hold ${this.listens.perPrincipal} subscriptions/listen streams open, the most one principal may. Close one, or watch every URI on one stream.`,
          { 'Retry-After': '1' },
        );
      }
      return rpcError(503, -32000, `The server holds its maximum of ${this.listens.maxTotal} subscriptions/listen streams, one per principal. Retry in a minute.`, { 'Retry-After': '60' });
    }
    const { release, onClose } = admission;
    request.signal?.addEventListener('abort', release, { once: true });
    try {
      const res = await this.modern.fetch(request, opts);
      if (!res.body) {
        release();
        return res;
      }
      const stream = closable(res.body, release);
      onClose(stream.close);
      return new Response(stream.body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (err) {
      release();
      throw err;
    }
  }

  /** How many notification streams `principal` holds open (for tests and monitoring). */
  listensOf(principal: string | null): number {
    return this.listens.held(principal);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Tells every watcher of `uri`: modern listen streams, and 2025-era sessions that subscribed. */
  resourceUpdated(uri: string): void {
    this.modern.notify.resourceUpdated(uri);
    for (const s of this.sessions.values()) {
      if (s.subscribed.has(uri)) void s.server.server.sendResourceUpdated({ uri }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => this.drop(s)));
    await this.modern.close();
  }

  private async legacy(request: Request, options?: McpHandlerRequestOptions): Promise<Response> {
    const principal = this.opts.principalOf(options?.authInfo);
    const sid = request.headers.get('mcp-session-id');
    if (sid) {
      const s = this.sessions.get(sid);
      if (!s) {
        return rpcError(404, -32001, `Session not found: it was idle too long, its principal opened more than ${this.opts.maxSessionsPerPrincipal} sessions (the oldest closes), or the server restarted. Initialize a new session.`);
      }
      if (s.principal !== principal) return rpcError(403, -32000, 'This session belongs to another principal.');
      s.lastSeen = Date.now();
      return s.transport.handleRequest(request, options);
    }
    if (request.method !== 'POST' || !isInitializeRequest(options?.parsedBody)) {
      return rpcError(400, -32000, 'Bad request: send initialize first, then the Mcp-Session-Id it returns on every request.');
    }
    const refused = this.makeRoom(principal);
    if (refused) return refused;
    this.opening.set(principal, (this.opening.get(principal) ?? 0) + 1);
    this.openingTotal++;
    try {
      const subscribed = new Set<string>();
      const server = this.factory({ era: 'legacy', ...(options?.authInfo ? { authInfo: options.authInfo } : {}), requestInfo: request }, subscribed);
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void this.sessions.set(id, { id, transport, server, principal, subscribed, lastSeen: Date.now() }),
        onsessionclosed: (id) => void this.sessions.delete(id),
      });
      transport.onclose = () => {
        if (transport.sessionId) this.sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      return await transport.handleRequest(request, options);
    } finally {
      this.opening.set(principal, this.opening.get(principal)! - 1);
      this.openingTotal--;
    }
  }

  /**
   * Room for one more session of `principal`, or the refusal to send. At its own limit, its own least
   * recently used session goes. At a full table, the least recently used session of whoever holds the
   * most goes if that holder has at least two more than the newcomer (so shares even out and nobody's last
   * session is taken); otherwise the newcomer replaces its own. So no principal can push another off the
   * server, and no crowd of principals can lock one out.
   */
  private makeRoom(principal: string | null): Response | null {
    const own = [...this.sessions.values()].filter((s) => s.principal === principal);
    const mine = own.length + (this.opening.get(principal) ?? 0);
    const total = this.sessions.size + this.openingTotal;
    if (mine < this.opts.maxSessionsPerPrincipal && total < this.opts.maxSessions) return null;
    const oldest = own.reduce<Session | undefined>((a, s) => (a && a.lastSeen <= s.lastSeen ? a : s), undefined);
    const richest = mine < this.opts.maxSessionsPerPrincipal ? this.mostHeld() : undefined;
    // drop() takes a session out of the table at once; closing its transport can finish in the background.
    if (richest && richest.count >= mine + 2) {
      void this.drop(richest.oldest);
      return null;
    }
    if (oldest) {
      void this.drop(oldest);
      return null;
    }
    if (mine >= this.opts.maxSessionsPerPrincipal) {
      return rpcError(429, -32000, `Too many sessions of yours are being opened at once (the limit is ${this.opts.maxSessionsPerPrincipal}). Wait for them to finish, then retry.`, { 'Retry-After': '1' });
    }
    const retryS = this.secondsUntilOneIdles();
    return rpcError(
      503,
      -32000,
      `The server holds its maximum of ${this.opts.maxSessions} 2025-era sessions. Retry in ${retryS} s, or connect with protocol 2026-07-28, which needs no session.`,
      { 'Retry-After': String(retryS) },
    );
  }

  /** The principal holding the most sessions, with its least recently used one. */
  private mostHeld(): { count: number; oldest: Session } | undefined {
    const held = new Map<string | null, { count: number; oldest: Session }>();
    for (const s of this.sessions.values()) {
      const h = held.get(s.principal);
      if (!h) held.set(s.principal, { count: 1, oldest: s });
      else {
        h.count++;
        if (s.lastSeen < h.oldest.lastSeen) h.oldest = s;
      }
    }
    let best: { count: number; oldest: Session } | undefined;
    for (const h of held.values()) if (!best || h.count > best.count) best = h;
    return best;
  }

  /** When the least recently used session will have been idle long enough to be closed (at least 1 s). */
  private secondsUntilOneIdles(): number {
    let oldest = Infinity;
    for (const s of this.sessions.values()) oldest = Math.min(oldest, s.lastSeen);
    const ms = Number.isFinite(oldest) ? oldest + this.opts.idleMs - Date.now() : 1_000;
    return Math.max(1, Math.ceil(ms / 1000));
  }

  private sweep(): void {
    const cutoff = Date.now() - this.opts.idleMs;
    for (const s of this.sessions.values()) if (s.lastSeen < cutoff) void this.drop(s);
  }

  private async drop(s: Session): Promise<void> {
    this.sessions.delete(s.id);
    await s.transport.close().catch(() => {});
    await s.server.close().catch(() => {});
  }
}
