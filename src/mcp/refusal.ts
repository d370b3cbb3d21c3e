import { ProtocolError, ProtocolErrorCode, type ServerContext } from '@modelcontextprotocol/server';
import type { KernelErrorJSON } from '../kernel/errors.ts';
import { noteOutcome } from './request-log.ts';
import type { PrincipalOf } from './tools.ts';

/**
 * A kernel refusal answered to a request that is not a tool call (resources, completion): a JSON-RPC
 * error whose message starts with the stable code and whose data is the structured error, so a client
 * can branch on `data.code` and honour `data.retry_after_ms`.
 */
export function kernelRefusal(e: KernelErrorJSON): ProtocolError {
  noteOutcome(e.code);
  return new ProtocolError(e.code === 'INVALID_ARGS' ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InvalidRequest, `${e.code}: ${e.message}`, e);
}

/** The principal a request acts as; refused if the connection is not authenticated as anyone. */
export function requestPrincipal(principalOf: PrincipalOf, ctx: unknown): string {
  const p = principalOf(ctx as ServerContext);
  if (p === null) noteOutcome('ACCESS_DENIED');
  if (p === null) throw new ProtocolError(ProtocolErrorCode.InvalidRequest, 'ACCESS_DENIED: this connection is not authenticated as any principal. Connect with a bearer token (HTTP) or --as (stdio).');
  return p;
}
