import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import { principalOfAuth } from './principal.ts';

/** What the request log needs of a logger (pino's shape), so this layer does not load one itself. */
export interface RequestLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

/** One request's line: who, what, how it ended, how long it took. Never a token or an argument's content. */
export interface RequestLine {
  principal: string | null;
  /** The JSON-RPC method, or the HTTP method for a request without one (a GET stream, a DELETE). */
  method: string;
  /** For tools/call: the tool's name as the client sent it, cut to 64 characters. */
  tool?: string;
  /** `ok`, the world's error code, or `http_<status>` when the request was refused before the world saw it. */
  outcome: string;
  status: number;
  duration_ms: number;
}

const current = new AsyncLocalStorage<{ outcome?: string }>();

/** Records how the request being served ended, for its log line (called where the world's answer is known). */
export function noteOutcome(outcome: string): void {
  const slot = current.getStore();
  if (slot) slot.outcome = outcome;
}

const NAME_CHARS = 64;

/**
 * A client-sent name as it may appear in a log line: the characters method and tool names use, cut to
 * 64. Anything else is replaced, so no client can forge a line (a newline) or colour a terminal.
 */
const loggable = (name: string): string => name.slice(0, NAME_CHARS).replace(/[^\w./:-]/g, '?');

/** The middleware: one line per request to /mcp, written when its response is finished or abandoned. */
export function requestLog(logger: RequestLogger): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const started = performance.now();
    const slot: { outcome?: string } = {};
    res.on('close', () => logger[res.statusCode >= 500 ? 'warn' : 'info'](lineOf(req, res, slot.outcome, started), 'request'));
    current.run(slot, next);
  };
}

function lineOf(req: Request, res: Response, outcome: string | undefined, started: number): RequestLine {
  const body = req.body as { method?: unknown; params?: { name?: unknown } } | undefined;
  const rpc = body && typeof body === 'object' && typeof body.method === 'string' ? loggable(body.method) : undefined;
  const tool = rpc === 'tools/call' && typeof body?.params?.name === 'string' ? loggable(body.params.name) : undefined;
  const status = res.statusCode;
  return {
    principal: principalOfAuth((req as Request & { auth?: Parameters<typeof principalOfAuth>[0] }).auth),
    method: rpc ?? req.method,
    ...(tool === undefined ? {} : { tool }),
    outcome: outcome ?? (status < 400 ? 'ok' : `http_${status}`),
    status,
    duration_ms: Math.round((performance.now() - started) * 10) / 10,
  };
}
