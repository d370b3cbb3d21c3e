import type { Client } from '@modelcontextprotocol/client';
import type { ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import type { Config } from '../kernel/config.ts';
import type { ErrorCode } from '../kernel/errors.ts';
import type { LlmGateway } from './gateway.ts';
import { buildPrompt, type StepInput } from './prompt.ts';
import type { AgentTools } from './tools.ts';

/** One tool call as the step made it: what the model asked and what came back (both capped). */
export interface CallRecord {
  tool: string;
  args: string;
  ok: boolean;
  code?: string;
  result: string;
  ms: number;
}

export interface StepDeps {
  id: string;
  client: Client;
  tools: AgentTools;
  gateway: LlmGateway;
  limits: Config['agents'];
  goal: string;
  systemPrompt?: string;
  model: string;
  recent: StepInput['recent'];
  memories?: string[];
  /** Aborted when the step is abandoned (timeout, the host stopping): a late reply then does nothing. */
  signal: AbortSignal;
  /** Whether the agent may still act: re-read after the model answers, before any tool runs. */
  stillRunning: () => Promise<boolean>;
  maxToolCalls: number;
}

export type StepOutcome =
  | { kind: 'done'; ok: boolean; error?: string; trace: Record<string, unknown> }
  | { kind: 'llm_error'; code: ErrorCode; error: string; retryAfterMs?: number; trace: Record<string, unknown> }
  | { kind: 'frozen'; error: string; trace: Record<string, unknown> }
  | { kind: 'abandoned'; error: string; trace: Record<string, unknown> };

const REPLY_CHARS = 2_000;
const ARGS_CHARS = 500;

/**
 * One step of a hosted agent: its state (world_whoami, over its own MCP client), the prompt, one call to
 * the model through the gateway, then the tool calls it asked for, each through MCP as the agent. Errors
 * go back to the model as results in the next step's prompt. Nothing is executed from a reply that came
 * after the step was abandoned or after the agent stopped running (paused, asleep, frozen meanwhile).
 */
export async function runStep(d: StepDeps): Promise<StepOutcome> {
  const started = performance.now();
  const state = await whoami(d.client);
  const prompt = buildPrompt({ goal: d.goal, ...(d.systemPrompt ? { systemPrompt: d.systemPrompt } : {}), state, recent: d.recent, ...(d.memories ? { memories: d.memories } : {}) }, d.limits.max_prompt_chars);
  const base = { prompt_chars: prompt.chars, recent_dropped: prompt.dropped, model: d.model };
  const llmStarted = performance.now();
  const chat = await d.gateway.chat({ payer: d.id, endpoint: d.model, messages: prompt.messages, tools: d.tools.openai, signal: d.signal });
  const llm = { ...base, llm_ms: ms(performance.now() - llmStarted), usage: chat.usage };
  if (!chat.ok) {
    const trace = { ...llm, latency_ms: ms(performance.now() - started), llm_error: chat.error };
    if (chat.error.code === 'INSUFFICIENT_FUNDS') return { kind: 'frozen', error: chat.error.message, trace };
    if (d.signal.aborted) return { kind: 'abandoned', error: 'the step was abandoned while the model was thinking', trace };
    return { kind: 'llm_error', code: chat.error.code, error: `${chat.error.code}: ${chat.error.message}`, ...(chat.error.retry_after_ms ? { retryAfterMs: chat.error.retry_after_ms } : {}), trace };
  }
  const asked = chat.message.tool_calls ?? [];
  const reply = { content: capText(chat.message.content ?? '', REPLY_CHARS), tool_calls: asked.length, finish_reason: chat.finish_reason };
  // The stale-completion rule: a reply that arrives after its step was given up changes nothing.
  if (d.signal.aborted || !(await d.stillRunning())) {
    return { kind: 'abandoned', error: 'the reply came after the step was abandoned or the agent stopped; it was discarded', trace: { ...llm, reply, latency_ms: ms(performance.now() - started), discarded: true } };
  }
  const calls: CallRecord[] = [];
  for (const call of asked.slice(0, d.maxToolCalls)) {
    if (d.signal.aborted) break;
    calls.push(await execute(d, call));
  }
  const ignored = Math.max(0, asked.length - d.maxToolCalls);
  const trace = { ...llm, reply, calls, ...(ignored ? { ignored_tool_calls: ignored } : {}), latency_ms: ms(performance.now() - started) };
  const allFailed = calls.length > 0 && calls.every((c) => !c.ok);
  return { kind: 'done', ok: !allFailed, ...(allFailed ? { error: `every tool call failed; the last: ${calls.at(-1)!.result.slice(0, 300)}` } : {}), trace };
}

async function whoami(client: Client): Promise<unknown> {
  try {
    const r = await client.callTool({ name: 'world_whoami', arguments: {} });
    return r.isError ? { error: textOf(r.content) } : r.structuredContent;
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Runs one tool call the model asked for, as the agent, through MCP. Every failure becomes a result. */
async function execute(d: StepDeps, call: ChatCompletionMessageToolCall): Promise<CallRecord> {
  if (call.type !== 'function') return { tool: String(call.type), args: '', ok: false, code: 'INVALID_ARGS', result: 'Only function tool calls are supported.', ms: 0 };
  const started = performance.now();
  const name = call.function.name;
  const rawArgs = call.function.arguments ?? '';
  const record = (ok: boolean, result: string, code?: string): CallRecord => ({ tool: capText(name, 64), args: capText(rawArgs, ARGS_CHARS), ok, ...(code ? { code } : {}), result: capText(result, d.limits.max_result_chars), ms: Math.round((performance.now() - started) * 100) / 100 });
  if (!d.tools.names.has(name)) return record(false, `There is no tool '${capText(name, 64)}'. Use one of the tools you were given.`, 'NOT_FOUND');
  let args: unknown;
  try {
    args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch {
    return record(false, 'The arguments are not valid JSON. Send one JSON object matching the tool’s input schema.', 'INVALID_ARGS');
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return record(false, 'The arguments must be one JSON object.', 'INVALID_ARGS');
  try {
    const r = await d.client.callTool({ name, arguments: args as Record<string, unknown> }, { signal: d.signal });
    const code = r.isError ? ((r.structuredContent as { error?: { code?: string } } | undefined)?.error?.code ?? 'EXECUTION_ERROR') : undefined;
    return record(!r.isError, textOf(r.content), code);
  } catch (err) {
    // Protocol-level refusals (arguments that fail the schema, an aborted call) come back as errors.
    return record(false, (err as Error).message, 'INVALID_ARGS');
  }
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((c: { type?: string; text?: string }) => (c.type === 'text' ? (c.text ?? '') : `[${c.type ?? 'content'}]`)).join('\n');
}

const ms = (x: number) => Math.round(x * 100) / 100;

const capText = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n)}… (${s.length - n} more characters)`);

