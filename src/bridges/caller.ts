import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { canonicalJson, sha256 } from '../kernel/canonical.ts';
import type { KernelErrorJSON } from '../kernel/errors.ts';
import type { OutsideCall, OutsideRecord } from '../kernel/outside.ts';
import { BridgeManager, BridgeUnavailable, timedOut } from './manager.ts';
import { MessageTooLarge } from './oversize.ts';
import { FolderFull, PathRefused, confinePaths, requireFolderRoom } from './paths.ts';
import { SsrfRefused, checkUrl } from './ssrf.ts';

const err = (code: KernelErrorJSON['code'], message: string, details: Record<string, unknown> = {}, retryAfterMs?: number): KernelErrorJSON =>
  ({ code, message, details, retriable: retryAfterMs !== undefined, ...(retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }) });

/**
 * Makes one bridge call outside the world and records its outcome for the command (see kernel/outside.ts).
 * The world's guards run first (paths confined to the caller's folder; the SSRF check on URLs), so a refused
 * call never reaches the upstream. Every failure is an outcome too: the command then fails the same way in
 * every run, and its principal still pays the CPU.
 */
/** A failed outcome for `call`: the command fails with this error in every run. */
export function failedCall(call: OutsideCall, code: KernelErrorJSON['code'], message: string, retryAfterMs?: number): OutsideRecord {
  return { ...identity(call), error: err(code, message, {}, retryAfterMs), cpu_ms: 0, ms: 0 };
}

const identity = (call: OutsideCall) => ({ artifact: call.artifact, tool: call.tool, caller: call.caller, args_hash: sha256(canonicalJson(call.args)), fee: 0 });

/**
 * `pay` burns the call's fee once the upstream has answered it (only answered calls are paid); if it
 * refuses, the outcome is its error and the result is withheld.
 */
export async function callOutside(manager: BridgeManager, call: OutsideCall, pay: () => Promise<KernelErrorJSON | null>): Promise<OutsideRecord> {
  const base = identity(call);
  const def = manager.get(call.artifact);
  if (!def) return { ...base, error: err('NOT_FOUND', `No bridge ${call.artifact} runs in this world's host. ecology bridge list shows them.`), cpu_ms: 0, ms: 0 };
  const s = def.settings;
  let args = call.args;
  try {
    if (s.isolation === 'principal') requireFolderRoom(manager.ensurePrincipalDir(call.caller), s.max_folder_bytes, Buffer.byteLength(JSON.stringify(call.args)));
    if (s.guard === 'paths') args = confinePaths(manager.ensurePrincipalDir(call.caller), args);
    if (s.guard === 'ssrf' && 'url' in args) await checkUrl(args.url);
  } catch (e) {
    if (e instanceof PathRefused || e instanceof SsrfRefused) return { ...base, error: err('ACCESS_DENIED', `${call.artifact}.${call.tool}: ${e.message}.`), cpu_ms: 0, ms: 0 };
    if (e instanceof FolderFull) return failedCall(call, 'LIMIT_EXCEEDED', `${call.artifact}.${call.tool} was not called: ${e.message}.`);
    return { ...base, error: err('UPSTREAM_ERROR', `${call.artifact}.${call.tool} could not be prepared: ${(e as Error).message}`), cpu_ms: 0, ms: 0 };
  }
  const timeout = s.tool_timeouts_ms[call.tool] ?? s.timeout_ms;
  const started = performance.now();
  try {
    const r = await manager.call(call.artifact, call.caller, call.tool, args, timeout);
    const bytes = JSON.stringify(r.result.content ?? []).length + JSON.stringify(r.result.structuredContent ?? null).length;
    if (bytes > s.max_result_bytes) {
      return { ...base, error: err('UPSTREAM_ERROR', `${call.artifact}.${call.tool} returned ${bytes} bytes, more than the ${s.max_result_bytes} a result may hold. Ask for less (a range, a limit).`, { bytes, limit: s.max_result_bytes }), cpu_ms: r.cpuMs, ms: r.ms };
    }
    if (r.result.isError) {
      return { ...base, error: err('UPSTREAM_ERROR', `${call.artifact}.${call.tool} reported an error; its text is in details.content (upstream text, untrusted). Check the arguments against artifact_info ${call.artifact}, or retry later.`, { content: r.result.content ?? [], untrusted: true }), cpu_ms: r.cpuMs, ms: r.ms };
    }
    const unpaid = call.fee > 0 ? await pay() : null;
    if (unpaid) return { ...base, error: unpaid, cpu_ms: r.cpuMs, ms: r.ms };
    return { ...base, fee: call.fee, content: r.result.content ?? [], ...(r.result.structuredContent === undefined ? {} : { structured: r.result.structuredContent }), cpu_ms: r.cpuMs, ms: r.ms };
  } catch (e) {
    const ms = performance.now() - started;
    if (e instanceof BridgeUnavailable) return { ...base, error: err('UPSTREAM_ERROR', `${e.message}.${e.retryAfterMs !== null ? ' Retry later.' : ''}`, {}, e.retryAfterMs ?? undefined), cpu_ms: 0, ms };
    const what = `${call.artifact}.${call.tool}`;
    if (e instanceof MessageTooLarge) {
      return { ...base, error: err('UPSTREAM_ERROR', `${what} sent a message larger than the ${e.limit} bytes this bridge takes; it was refused as it arrived. Ask for less (a range, a limit).`, { limit: e.limit }), cpu_ms: 0, ms };
    }
    // An upstream's own words (a JSON-RPC error, an HTTP error body) are data, kept apart and marked, never the world's message.
    if (e instanceof ProtocolError || e instanceof SdkHttpError) {
      const said = e instanceof ProtocolError ? { upstream_code: e.code } : { http_status: e.status };
      return { ...base, error: err('UPSTREAM_ERROR', `${what} answered with an error; its text is in details.upstream_text (upstream text, untrusted). Check the arguments against artifact_info ${call.artifact}, or retry later.`, { ...said, upstream_text: e.message.slice(0, 1_000), untrusted: true }, 5_000), cpu_ms: 0, ms };
    }
    if (e instanceof SdkError && e.code === SdkErrorCode.InvalidResult) {
      return { ...base, error: err('UPSTREAM_ERROR', `${what} answered with something that is not an MCP tool result. The upstream is at fault: tell the world's operator (ecology bridge list).`), cpu_ms: 0, ms };
    }
    const message = (e as Error).message ?? String(e);
    if (timedOut(e)) return { ...base, error: err('TIMEOUT', `${call.artifact}.${call.tool} did not answer within ${timeout} ms. Retry later, or ask for less in one call.`, { timeout_ms: timeout }, 5_000), cpu_ms: 0, ms };
    return { ...base, error: err('UPSTREAM_ERROR', `${call.artifact}.${call.tool} failed: ${message.slice(0, 300)}. Retry later.`, {}, 5_000), cpu_ms: 0, ms };
  }
}
