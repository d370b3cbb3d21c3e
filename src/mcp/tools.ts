import * as z from 'zod';
import { fromJsonSchema, type CallToolResult, type jsonSchemaValidator, type JsonSchemaValidatorResult, type McpServer, type ServerContext, type StandardSchemaWithJSON, type ToolAnnotations } from '@modelcontextprotocol/server';
import type { GenesisMethod, GenesisRegistry } from '../kernel/genesis.ts';
import type { InvokeResult } from '../kernel/kernel.ts';
import type { World } from '../world.ts';
import { noteOutcome } from './request-log.ts';

/** Resolves who is calling from the request context; null if nobody authenticated. */
export type PrincipalOf = (ctx: ServerContext) => string | null;

export interface ToolDef {
  name: string;
  method: GenesisMethod;
  title: string;
  description: string;
  inputSchema: StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>>;
  outputSchema: StandardSchemaWithJSON<unknown, unknown>;
  annotations: ToolAnnotations;
  mutating: boolean;
}

/**
 * The kernel validates arguments itself and answers with a structured INVALID_ARGS error; letting the
 * SDK validate first would replace that with a bare text message. So the listed schema is the real one
 * and the SDK-side validator accepts everything.
 */
const passThrough: jsonSchemaValidator = {
  getValidator:
    <T>() =>
    (input: unknown): JsonSchemaValidatorResult<T> => ({ valid: true, data: input as T, errorMessage: undefined }),
};

const IDEMPOTENCY_KEY = 'idempotency_key';
const MAX_TEXT = 4_000;

/** Tools generated from the registry: one per public genesis method, never listed by hand. */
export function buildTools(registry: GenesisRegistry): ToolDef[] {
  return registry.publicMethods().map((m) => {
    const mutating = !m.annotations.readOnlyHint;
    const input = mutating
      ? m.input.extend({
          [IDEMPOTENCY_KEY]: z.string().min(1).max(128).optional().describe('Repeat a call with the same key and it takes effect once; the first result is returned again.'),
        })
      : m.input;
    const json = z.toJSONSchema(input, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
    return {
      name: m.tool,
      method: m,
      title: m.title,
      description: m.description,
      inputSchema: fromJsonSchema<Record<string, unknown>>(json as never, passThrough),
      // Converted once: the SDK would convert a zod schema again for every per-request server.
      outputSchema: fromJsonSchema(z.toJSONSchema(m.forward ? forwardOutput : m.output, { target: 'draft-7', io: 'output' }) as never),
      annotations: { title: m.title, ...m.annotations },
      mutating,
    };
  });
}

/** A forwarded call (artifact_invoke) returns whatever the artifact returns, so it is wrapped. */
const forwardOutput = z.object({
  result: z.unknown().describe("The artifact method's return value."),
  logs: z.array(z.string()).describe('Console output of the code that ran.'),
  command_id: z.string(),
});

export function registerTools(server: McpServer, tools: readonly ToolDef[], world: World, principalOf: PrincipalOf): void {
  for (const t of tools) {
    server.registerTool(
      t.name,
      { title: t.title, description: t.description, inputSchema: t.inputSchema, outputSchema: t.outputSchema, annotations: t.annotations },
      async (args: Record<string, unknown>, ctx: ServerContext) => callTool(t, world, principalOf(ctx), args, progressReporter(ctx)),
    );
  }
}

/** Runs a tool call as `principal` through the world's fair queue (so no other principal's backlog delays it). */
export async function callTool(t: ToolDef, world: World, principal: string | null, args: Record<string, unknown>, progress?: Progress): Promise<CallToolResult> {
  if (principal === null) {
    noteOutcome('ACCESS_DENIED');
    return errorResult({ code: 'ACCESS_DENIED', message: 'This connection is not authenticated as any principal. Connect with a bearer token (HTTP) or --as (stdio).', details: {}, retriable: false });
  }
  progress?.(0, 'waiting for your turn in the world');
  const onStart = progress && (() => progress(1, 'running'));
  const r: InvokeResult = await (t.mutating && isRecord(args) ? submitKeyed(t, world, principal, args, onStart) : world.submit(principal, t.method.artifact, t.method.name, args ?? {}, {}, { onStart }));
  progress?.(2, 'done');
  noteOutcome(r.ok ? 'ok' : r.error.code);
  if (!r.ok) return errorResult(r.error, r.command_id);
  const structured = t.method.forward ? { result: r.value ?? null, logs: r.logs, command_id: r.command_id } : (r.value as Record<string, unknown>);
  return { content: [{ type: 'text', text: render(structured) }], structuredContent: structured };
}

/**
 * The key goes to the kernel whatever its type: it refuses a malformed one (a number, an object, an
 * empty string). Dropping it here instead would run a retried call twice.
 */
function submitKeyed(t: ToolDef, world: World, principal: string, args: Record<string, unknown>, onStart?: () => void): Promise<InvokeResult> {
  if (!Object.hasOwn(args, IDEMPOTENCY_KEY)) return world.submit(principal, t.method.artifact, t.method.name, args, {}, { onStart });
  const { [IDEMPOTENCY_KEY]: key, ...rest } = args;
  return world.submit(principal, t.method.artifact, t.method.name, rest, { idempotencyKey: key as string }, { onStart });
}

/** Reports a tool call's stage (0 queued, 1 running, 2 done, of 2). */
export type Progress = (stage: number, message: string) => void;

/**
 * Progress notifications for a call whose client asked for them (a progressToken in `_meta`): a call can
 * wait for its turn, for another process's write lock or for a sandbox worker, then run guest code for
 * up to its CPU budget. Notifications are sent without waiting; a client that went away loses them.
 */
function progressReporter(ctx: ServerContext): Progress | undefined {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return undefined;
  return (progress, message) => {
    void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, total: 2, message } }).catch(() => {});
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function errorResult(error: Extract<InvokeResult, { ok: false }>['error'], commandId?: string): CallToolResult {
  const structured = { error, ...(commandId ? { command_id: commandId } : {}) };
  return { isError: true, content: [{ type: 'text', text: `${error.code}: ${error.message}` }], structuredContent: structured };
}

/** A short text rendering for clients that read text: compact JSON, capped (the full value is structured). */
function render(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}… (truncated; the full result is in structuredContent)`;
}
