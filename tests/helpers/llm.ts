import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible chat endpoint standing in for the remote model (no machine here reaches
 * one). `reply` gets the last user message; `seen` records every one.
 */
export async function fakeLlm(reply: (message: string) => { status: number; content?: string }): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const msg = JSON.parse(body).messages.at(-1).content as string;
      seen.push(msg);
      const r = reply(msg);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: r.content ?? '' } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server, seen };
}

/** What the stand-in answers one chat request with. */
export interface StandInReply {
  status?: number;
  /** A reply body to send as JSON; see `completion` for the usual shape. */
  json?: unknown;
  /** A raw body instead (malformed replies). */
  raw?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow or hanging endpoint). */
  delayMs?: number;
}

export interface ChatBody {
  model: string;
  messages: { role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  max_tokens?: number;
}

/** A chat completion reply: text and/or tool calls, with a usage block. */
export function completion(opts: { content?: string | null; toolCalls?: { name: string; arguments: unknown; id?: string }[]; usage?: { prompt_tokens: number; completion_tokens: number } | null; finish?: string }) {
  const tool_calls = opts.toolCalls?.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) } }));
  return {
    id: 'chatcmpl-standin',
    object: 'chat.completion',
    created: 0,
    model: 'stand-in',
    choices: [{ index: 0, message: { role: 'assistant', content: opts.content ?? null, ...(tool_calls ? { tool_calls } : {}) }, finish_reason: opts.finish ?? (tool_calls ? 'tool_calls' : 'stop') }],
    ...(opts.usage === null ? {} : { usage: { ...(opts.usage ?? { prompt_tokens: 100, completion_tokens: 20 }), total_tokens: (opts.usage?.prompt_tokens ?? 100) + (opts.usage?.completion_tokens ?? 20) } }),
  };
}

/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) standing in for a remote model, which no
 * machine here can reach. `reply` scripts each answer from the request body; `requests` records them.
 */
export async function llmStandIn(reply: (body: ChatBody, n: number) => StandInReply | Promise<StandInReply>): Promise<{ url: string; requests: ChatBody[]; close: () => Promise<void> }> {
  const requests: ChatBody[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const parsed = JSON.parse(body) as ChatBody;
      requests.push(parsed);
      const r = await reply(parsed, requests.length - 1);
      if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
      if (res.destroyed) return;
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(r.raw ?? JSON.stringify(r.json ?? completion({ content: 'ok' })));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/**
 * A stand-in embeddings model with a little sense of meaning: each word is folded to its concept (say scrip,
 * coins and money to one), and each concept counts in one of `dims` dimensions. `floor` keeps the vector off zero.
 */
export function conceptEmbedding(concepts: Record<string, string>, dims: number, text: string, floor = 0): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const c = concepts[w] ?? w;
    let h = 0;
    for (const ch of c) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    v[h % dims]! += concepts[w] ? 3 : 1;
  }
  v[dims - 1]! += floor;
  return v;
}
