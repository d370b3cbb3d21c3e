import { PassThrough, type Readable } from 'node:stream';
import { INVALID_REQUEST, PARSE_ERROR, parseJSONRPCMessage, type JSONRPCErrorResponse } from '@modelcontextprotocol/server';
import { nestsDeeperThan } from '../kernel/canonical.ts';

/**
 * Largest JSON-RPC message a transport accepts (the HTTP body limit is the same): room for the largest
 * arguments a command may have (limits.max_args_bytes, 512 KiB by default) even fully escaped. What a
 * body costs the host to parse grows with its size, so it is no larger.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Longest resource URI a client may watch: artifact URIs are short, and each watched one is held in memory. */
export const MAX_WATCHED_URI_CHARS = 512;
/** Most URIs one listen stream may watch: every change is matched against every stream's list. */
export const MAX_LISTEN_URIS = 256;
/**
 * Deepest nesting a message may have. The SDK's validators recurse and overflow the stack a few
 * thousand levels down; this leaves room for the envelope around the deepest arguments the kernel's
 * own limit (limits.max_args_depth, at most 1,000) can allow.
 */
export const MAX_MESSAGE_DEPTH = 1_024;

type Reply = (error: JSONRPCErrorResponse) => void;

/** A JSON-RPC error if `value` nests too deep for the SDK to validate safely; null if it does not. */
export function depthRefusal(value: unknown): JSONRPCErrorResponse | null {
  if (!nestsDeeperThan(value, MAX_MESSAGE_DEPTH)) return null;
  return errorReply(idOf(value), INVALID_REQUEST, `Invalid Request: the message nests more than ${MAX_MESSAGE_DEPTH} levels deep. Flatten the arguments.`);
}

/**
 * A JSON-RPC error for a 2026-era subscriptions/listen asking to watch too many URIs, or too long ones;
 * null for anything else.
 */
export function listenRefusal(value: unknown): JSONRPCErrorResponse | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const m = value as { method?: unknown; params?: { resourceSubscriptions?: unknown } };
  if (m.method !== 'subscriptions/listen') return null;
  const uris = m.params?.resourceSubscriptions;
  if (!Array.isArray(uris)) return null;
  if (uris.length <= MAX_LISTEN_URIS && uris.every((u) => typeof u === 'string' && u.length <= MAX_WATCHED_URI_CHARS)) return null;
  return errorReply(idOf(value), INVALID_REQUEST, `LIMIT_EXCEEDED: a listen stream may watch at most ${MAX_LISTEN_URIS} resources, each URI at most ${MAX_WATCHED_URI_CHARS} characters. Watch fewer.`);
}

/** Why a parsed message cannot be passed to the SDK, as a JSON-RPC error; null if it can. */
function refusal(value: unknown): JSONRPCErrorResponse | null {
  const deep = depthRefusal(value);
  if (deep) return deep;
  try {
    parseJSONRPCMessage(value);
    return null;
  } catch {
    return errorReply(
      idOf(value),
      INVALID_REQUEST,
      'Invalid Request: a message must be one JSON-RPC 2.0 request, notification or response object ("jsonrpc": "2.0", a string "method", an id that is a string or number, params an object).',
    );
  }
}

export function screenedInput(input: Readable, reply: Reply, maxLineBytes = MAX_MESSAGE_BYTES): Readable {
  const out = new PassThrough();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversize = false;
  input.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const line = pendingBytes === 0 ? chunk.subarray(start, nl) : Buffer.concat([...pending, chunk.subarray(start, nl)]);
      if (!oversize) screen(line.toString('utf8'), out, reply);
      pending = [];
      pendingBytes = 0;
      oversize = false;
      start = nl + 1;
    }
    if (start < chunk.length && !oversize) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) {
        // Answer now and drop the rest of the line as it arrives, rather than hold it in memory.
        reply(errorReply(null, INVALID_REQUEST, `Invalid Request: a message is larger than ${maxLineBytes} bytes. Send smaller arguments.`));
        pending = [];
        pendingBytes = 0;
        oversize = true;
      }
    }
  });
  input.on('end', () => out.end());
  input.on('error', (err) => out.destroy(err));
  return out;
}

function screen(raw: string, out: PassThrough, reply: Reply): void {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return reply(errorReply(null, PARSE_ERROR, `Parse error: ${(err as Error).message}. Send one JSON-RPC 2.0 message per line.`));
  }
  const refused = refusal(value);
  if (refused) return reply(refused);
  out.write(`${line}\n`);
}

const idOf = (v: unknown): string | number | null => {
  const id = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { id?: unknown }).id : undefined;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
};

const errorReply = (id: string | number | null, code: number, message: string): JSONRPCErrorResponse =>
  ({ jsonrpc: '2.0', id, error: { code, message } }) as JSONRPCErrorResponse;
