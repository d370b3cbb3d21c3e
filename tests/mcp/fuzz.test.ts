import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError, ProtocolErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { ERROR_CODES, type KernelErrorJSON } from '../../src/kernel/errors.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { buildTools, callTool, type ToolDef } from '../../src/mcp/tools.ts';
import { httpClient, serveWorld, tokenFor, type Era } from '../helpers/mcp.ts';
import { invalidOf, validOf, type JsonSchema } from '../helpers/schema-arbitrary.ts';
import { codeArtifact, openTestWorld, stateOf, type TestWorld } from '../helpers/world.ts';
import type { World } from '../../src/world.ts';

/**
 * Every tool, called with input generated from its own listed JSON schema: half of it breaks the
 * schema (wrong types, missing or extra keys, out-of-range numbers, huge, deep and odd values,
 * prototype keys), half obeys it with hostile values (other principals' and genesis ids, ids of
 * nothing, edge amounts). Properties: nothing throws, nothing is INTERNAL, every refusal is an isError
 * result with a stable code and a message and changes nothing, every success matches the tool's
 * output schema, and the world's invariants hold after each round.
 *
 * Replay a failure with FUZZ_SEED=<seed printed> (and the round it names).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_128);
const ROUNDS = 19;
const PER_ROUND = 500; // in-process, through callTool: 9,500 cases
const OVER_MCP = 250; // per protocol era, through a real SDK client over HTTP: 500 cases

const CONFIG = { principal_defaults: { scrip: 1_000, calls: 1_000_000_000, cpu_ms: 1_000_000_000 } };

interface Case {
  tool: string;
  args: unknown;
}

/** A world with something to aim at: each principal's artifacts (open, private, priced code), a listing, an approval, a bid. */
async function fuzzWorld(): Promise<{ t: TestWorld; pool: string[] }> {
  const t = await openTestWorld({ principals: ['alice', 'bob'], config: CONFIG });
  const echo = 'export function echo(a) { return a } export function boom() { throw new Error("boom") }';
  t.ok('bob', 'genesis_store', 'write', { id: 'b_secret', content: 'hidden', access_contract_id: 'genesis_contract_private' });
  t.ok('bob', 'genesis_store', 'write', { id: 'b_note', content: '{"a":1}' });
  t.ok('bob', 'genesis_store', 'write', codeArtifact('b_tool', echo, [{ name: 'echo', price: 3 }, { name: 'boom' }], { has_standing: true }));
  t.ok('bob', 'genesis_store', 'write', { id: 'b_sale', content: 'for sale' });
  const listing = t.ok<{ listing_id: string }>('bob', 'genesis_escrow', 'list', { artifact_id: 'b_sale', price: 5 }).listing_id;
  t.ok('alice', 'genesis_store', 'write', { id: 'a_note', content: 'mine' });
  t.ok('alice', 'genesis_store', 'write', codeArtifact('a_tool', echo, [{ name: 'echo', price: 1 }, { name: 'boom' }]));
  t.ok('alice', 'genesis_ledger', 'approve', { spender: 'bob', amount: 10 });
  t.ok('bob', 'genesis_ledger', 'approve', { spender: 'alice', amount: 10 });
  t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a_tool', amount: 2 });
  // Mostly what exists (so calls get past "not found"), some genesis services and accounts, one id of nothing.
  const genesis = ['genesis_ledger', 'genesis_store', 'genesis_mint', 'genesis_escrow', 'genesis_operator', 'genesis_debt', 'genesis_contract_private'];
  const pool = ['alice', 'bob', 'a_note', 'a_tool', 'b_secret', 'b_note', 'b_tool', 'b_sale', listing, 'echo', 'boom', 'nobody', ...genesis];
  return { t, pool };
}

/** The input schemas as a client sees them (tools/list), which is what the generator works from. */
async function listedSchemas(world: World): Promise<Map<string, JsonSchema>> {
  const handler = worldHandler(world);
  const client = await connectInProcess(handler, 'alice');
  try {
    return new Map((await client.listTools()).tools.map((x) => [x.name, x.inputSchema as JsonSchema]));
  } finally {
    await client.close();
    await handler.close();
  }
}

/**
 * Fields whose plausible values are few: mostly fresh idempotency keys (so a call is not refused as a
 * replay; sometimes a key used before, with other arguments), real contracts and method names.
 */
const overrides = {
  idempotency_key: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.constantFrom('k1', 'k2') }),
  access_contract_id: fc.constantFrom('genesis_contract_freeware', 'genesis_contract_private', 'genesis_contract_public', 'genesis_contract_self_owned', 'b_note', 'nobody'),
  method: fc.constantFrom('echo', 'boom', 'nope', 'check_permission'),
};

function cases(schemas: Map<string, JsonSchema>, pool: string[], jsonOnly: boolean): fc.Arbitrary<Case> {
  return fc.oneof(
    ...[...schemas].map(([tool, s]) => fc.oneof(validOf(s, pool, overrides), invalidOf(s, pool, { jsonOnly, overrides })).map((args) => ({ tool, args }))),
  );
}

const brief = (v: unknown): string => {
  let text: string;
  try {
    text = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
};

/** The properties every result must have; throws with what broke. */
function judge(c: Case, r: CallToolResult, before: string, world: World, tool?: ToolDef): void {
  const where = `${c.tool} ${brief(c.args)}`;
  if (r.isError) {
    const e = (r.structuredContent as { error?: KernelErrorJSON } | undefined)?.error;
    if (!e) throw new Error(`${where}: a refusal without a structured error: ${brief(r.content)}`);
    if (!ERROR_CODES.includes(e.code) || e.code === 'INTERNAL') throw new Error(`${where}: refused with ${e.code}: ${e.message}`);
    if (typeof e.message !== 'string' || e.message.length < 15) throw new Error(`${where}: a refusal with no useful message: ${brief(e)}`);
    if (typeof e.retriable !== 'boolean' || typeof e.details !== 'object' || e.details === null) throw new Error(`${where}: a malformed error: ${brief(e)}`);
    if (stateOf(world) !== before) throw new Error(`${where}: refused with ${e.code}, yet the world changed`);
    return;
  }
  if (tool) {
    const v = tool.outputSchema['~standard'].validate(r.structuredContent);
    if (v instanceof Promise) throw new Error('output validation is asynchronous');
    if (v.issues) throw new Error(`${where}: the result does not match the output schema: ${brief(v.issues)}`);
  }
}

/** fast-check's report, short: the seed and path to replay, and the first failure (values can be megabytes). */
const report = (round: string) => (out: fc.RunDetails<[Case]>) => {
  if (!out.failed) return;
  throw new Error(`fuzz ${round} failed after ${out.numRuns} cases; replay with FUZZ_SEED=${SEED} (seed ${out.seed}, path ${out.counterexamplePath}): ${String(out.errorInstance).slice(0, 2_000)}`);
};

describe('fuzzing every tool with input generated from its schema', () => {
  it(`${ROUNDS * PER_ROUND} cases in-process: no crash, no INTERNAL, every refusal structured and without effect`, async () => {
    const started = performance.now();
    let schemas: Map<string, JsonSchema> | undefined;
    let tools: Map<string, ToolDef> | undefined;
    const seen = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const { t, pool } = await fuzzWorld();
      try {
        schemas ??= await listedSchemas(t.world);
        tools ??= new Map(buildTools(t.world.kernel.registry).map((x) => [x.name, x]));
        const byName = tools;
        await fc.assert(
          fc.asyncProperty(cases(schemas, pool, false), async (c) => {
            const tool = byName.get(c.tool)!;
            const before = stateOf(t.world);
            const r = await callTool(tool, t.world, 'alice', c.args as Record<string, unknown>);
            const outcome = `${c.tool}:${r.isError ? ((r.structuredContent as { error?: KernelErrorJSON } | undefined)?.error?.code ?? '?') : 'ok'}`;
            seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
            judge(c, r, before, t.world, tool);
          }),
          { seed: SEED + round, numRuns: PER_ROUND, endOnFailure: true, reporter: report(`round ${round}`) },
        );
        expect(t.world.check().violations, `round ${round}`).toEqual([]);
      } finally {
        await t.world.close();
      }
    }
    // Every tool was reached, and both ways: some calls succeed, some are refused.
    const toolsReached = new Set([...seen.keys()].map((k) => k.split(':')[0]));
    expect([...toolsReached].sort()).toEqual([...tools!.keys()].sort());
    expect([...seen.keys()].some((k) => k.endsWith(':ok'))).toBe(true);
    if (process.env.FUZZ_DEBUG) console.log([...seen].sort().map(([k, n]) => `${k} ${n}`).join("\n"));
    process.stderr.write(`fuzz: ${ROUNDS * PER_ROUND} in-process cases in ${Math.round(performance.now() - started)} ms (seed ${SEED})\n`);
  }, 120_000);

  it.each(['legacy', 'modern'] as Era[])(`${OVER_MCP} cases through a real MCP client over HTTP (%s era)`, async (era) => {
    const { t, pool } = await fuzzWorld();
    const http = await serveWorld(t.world);
    const client = await httpClient(http.url, tokenFor(t.world, 'alice'), era);
    try {
      const schemas = await listedSchemas(t.world);
      await fc.assert(
        fc.asyncProperty(cases(schemas, pool, true), async (c) => {
          const before = stateOf(t.world);
          let r: CallToolResult;
          try {
            r = (await client.callTool({ name: c.tool, arguments: c.args as Record<string, unknown> })) as CallToolResult;
          } catch (err) {
            // The transport refuses a message it cannot pass on (nested past the wire's limit) before any tool runs.
            const refused = (err instanceof ProtocolError && err.code === ProtocolErrorCode.InvalidRequest) || (err instanceof SdkHttpError && err.status === 400);
            if (!refused) throw new Error(`${c.tool} ${brief(c.args)}: threw ${String(err)}`);
            if (stateOf(t.world) !== before) throw new Error(`${c.tool} ${brief(c.args)}: refused by the transport, yet the world changed`);
            return;
          }
          judge(c, r, before, t.world);
        }),
        { seed: SEED + (era === 'legacy' ? 1_000 : 2_000), numRuns: OVER_MCP, endOnFailure: true, reporter: report(`over MCP (${era})`) },
      );
      expect(t.world.check().violations).toEqual([]);
    } finally {
      await client.close();
      await http.close();
      await t.world.close();
    }
  }, 60_000);
});
