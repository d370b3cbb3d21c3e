import OpenAI from 'openai';
import type { ChatCompletionMessage, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { OPERATOR } from '../kernel/door.ts';
import type { LlmEndpoint } from '../kernel/config.ts';
import type { ErrorCode } from '../kernel/errors.ts';
import type { World } from '../world.ts';

export interface ChatRequest {
  /** The principal that pays (reserve, then settle); null for the world's own calls (the mint's scorer). */
  payer: string | null;
  /** A name from the config's llm.endpoints, or (for the world's own unpaid calls) an inline definition. */
  endpoint: string | { name: string; def: LlmEndpoint };
  messages: ChatCompletionMessageParam[];
  tools?: ChatCompletionTool[];
  /** Aborts the call (the step was abandoned); what it burned is still charged. */
  signal?: AbortSignal;
  temperature?: number;
}

export interface ChatUsage {
  input_tokens: number;
  output_tokens: number;
  cost_micro_usd: number;
}

export type ChatResult =
  | { ok: true; message: ChatCompletionMessage; finish_reason: string; usage: ChatUsage }
  | { ok: false; error: { code: ErrorCode; message: string; retry_after_ms?: number }; usage: ChatUsage };

/** A conservative token estimate (about three characters a token; real English runs about four). */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 3) + 16;

/** The tools' share of the estimate, once per tools list (a host offers every agent the same list). */
const toolTokensCache = new WeakMap<object, number>();
function toolTokens(tools: ChatCompletionTool[]): number {
  let n = toolTokensCache.get(tools);
  if (n === undefined) {
    n = Math.ceil(JSON.stringify(tools).length / 3);
    toolTokensCache.set(tools, n);
  }
  return n;
}

const NO_USAGE: ChatUsage = { input_tokens: 0, output_tokens: 0, cost_micro_usd: 0 };

/**
 * The one path for every LLM call in the world. A paid call is reserved against its payer's budget and
 * token window (one transaction), made with a timeout and the caller's abort signal outside any
 * transaction, then settled from the usage the endpoint reports (a second transaction): the difference
 * is refunded, or what the estimate missed is charged, never below zero. A call that failed after the
 * endpoint may have worked (a timeout, an abort, a malformed reply) is settled at its reported usage,
 * or at its estimate when none was reported; a call the endpoint refused outright (an HTTP error) costs
 * nothing but its reported usage.
 */
export class LlmGateway {
  private readonly clients = new Map<string, OpenAI>();

  constructor(
    private readonly world: World,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** The endpoint's definition, or undefined. */
  endpoint(name: string): LlmEndpoint | undefined {
    return this.world.config.llm.endpoints[name];
  }

  async chat(req: ChatRequest): Promise<ChatResult> {
    const name = typeof req.endpoint === 'string' ? req.endpoint : req.endpoint.name;
    const ep = typeof req.endpoint === 'string' ? this.endpoint(req.endpoint) : req.payer === null ? req.endpoint.def : undefined;
    if (!ep) return { ok: false, error: { code: 'NOT_FOUND', message: `No LLM endpoint '${name}' in the config's llm.endpoints.` }, usage: NO_USAGE };
    const estimate = estimateTokens(JSON.stringify(req.messages)) + toolTokens(req.tools ?? []);
    let reservation: string | null = null;
    if (req.payer !== null) {
      const r = await this.operator(req.payer, 'reserve', { principal: req.payer, endpoint: name, input_tokens: estimate, output_tokens: ep.max_output_tokens });
      if (!r.ok) return { ok: false, error: r.error, usage: NO_USAGE };
      reservation = (r.value as { reservation_id: string }).reservation_id;
    }
    const call = await this.call(ep, req);
    // A refusal by the endpoint (an HTTP error) burned nothing unless it says so; anything else may have.
    const input = call.usage?.input ?? (call.refused ? 0 : estimate);
    const output = call.usage?.output ?? (call.refused ? 0 : ep.max_output_tokens);
    const usage = await this.settle(req.payer, reservation, input, output, call.ok);
    if (!call.ok) return { ok: false, error: call.error, usage };
    return { ok: true, message: call.message, finish_reason: call.finish_reason, usage };
  }

  private async settle(payer: string | null, reservation: string | null, input: number, output: number, ok: boolean): Promise<ChatUsage> {
    if (payer === null || reservation === null) return { input_tokens: input, output_tokens: output, cost_micro_usd: 0 };
    const r = await this.operator(payer, 'settle', { reservation_id: reservation, input_tokens: input, output_tokens: output, outcome: ok ? 'ok' : 'error' });
    // A settlement that fails is left to the reservation's expiry, which settles it at its estimate.
    const charged = r.ok ? (r.value as { charged_micro_usd: number }).charged_micro_usd : 0;
    return { input_tokens: input, output_tokens: output, cost_micro_usd: charged };
  }

  /** The ledger side runs as the operator, in the payer's lane of the fair queue. */
  private operator(payer: string, method: 'reserve' | 'settle', args: Record<string, unknown>) {
    return this.world.submit(OPERATOR, 'genesis_llm', method, args, {}, { lane: payer });
  }

  private client(ep: LlmEndpoint): OpenAI {
    const key = `${ep.base_url}\u0000${ep.api_key_env ?? ''}`;
    let c = this.clients.get(key);
    if (!c) {
      // A local server needs no key; the SDK insists on one, so a placeholder stands in.
      c = new OpenAI({ baseURL: ep.base_url, apiKey: (ep.api_key_env && this.env[ep.api_key_env]) || 'none', maxRetries: 0 });
      this.clients.set(key, c);
    }
    return c;
  }

  private async call(
    ep: LlmEndpoint,
    req: ChatRequest,
  ): Promise<
    | { ok: true; message: ChatCompletionMessage; finish_reason: string; usage?: { input: number; output: number }; refused: false }
    | { ok: false; error: { code: ErrorCode; message: string; retry_after_ms?: number }; usage?: { input: number; output: number }; refused: boolean }
  > {
    if (ep.api_key_env && !this.env[ep.api_key_env] && !isLocal(ep.base_url)) {
      return { ok: false, error: { code: 'UPSTREAM_ERROR', message: `The LLM endpoint needs an API key in the environment variable ${ep.api_key_env}, which is not set on the host.` }, refused: true };
    }
    try {
      const res = await this.client(ep).chat.completions.create(
        {
          model: ep.model,
          messages: req.messages,
          ...(req.tools && req.tools.length > 0 ? { tools: req.tools } : {}),
          max_tokens: ep.max_output_tokens,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
        },
        { timeout: ep.timeout_ms, ...(req.signal ? { signal: req.signal } : {}) },
      );
      const usage = res.usage ? { input: clampTokens(res.usage.prompt_tokens), output: clampTokens(res.usage.completion_tokens) } : undefined;
      const choice = res.choices?.[0];
      if (!choice?.message) return { ok: false, error: { code: 'UPSTREAM_ERROR', message: 'The LLM endpoint answered without a message.' }, ...(usage ? { usage } : {}), refused: false };
      return { ok: true, message: choice.message, finish_reason: choice.finish_reason ?? 'stop', ...(usage ? { usage } : {}), refused: false };
    } catch (err) {
      return { ok: false, ...describe(err) };
    }
  }
}

function describe(err: unknown): { error: { code: ErrorCode; message: string; retry_after_ms?: number }; refused: boolean } {
  if (err instanceof OpenAI.APIUserAbortError) return { error: { code: 'TIMEOUT', message: 'The LLM call was abandoned.' }, refused: false };
  if (err instanceof OpenAI.APIConnectionTimeoutError) return { error: { code: 'TIMEOUT', message: 'The LLM endpoint did not answer in time.' }, refused: false };
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const retry = Number(err.headers?.get?.('retry-after'));
    const code: ErrorCode = err.status === 429 ? 'RATE_LIMITED' : 'UPSTREAM_ERROR';
    return { error: { code, message: `The LLM endpoint answered HTTP ${err.status}: ${String(err.message).slice(0, 300)}`, ...(Number.isFinite(retry) && retry > 0 ? { retry_after_ms: retry * 1000 } : {}) }, refused: true };
  }
  if (err instanceof OpenAI.APIConnectionError) return { error: { code: 'UPSTREAM_ERROR', message: `Cannot reach the LLM endpoint: ${String(err.message).slice(0, 300)}` }, refused: true };
  // Anything else (a reply that is not JSON) came after the endpoint did its work.
  return { error: { code: 'UPSTREAM_ERROR', message: `The LLM endpoint's reply could not be read: ${String((err as Error)?.message ?? err).slice(0, 300)}` }, refused: false };
}

const clampTokens = (n: unknown): number => (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? Math.min(n, 100_000_000) : 0);

const isLocal = (url: string): boolean => /^https?:\/\/(127\.|localhost|\[::1\])/.test(url);
