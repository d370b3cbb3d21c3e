import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { openTestWorld, type TestWorld } from '../helpers/world.ts';
import type { Client } from '@modelcontextprotocol/client';
import type { HybridHandler } from '../../src/mcp/hybrid.ts';

type Json = Record<string, unknown>;

/** Walks a JSON Schema and reports every construct some major client rejects. */
function schemaProblems(schema: unknown, path = '$'): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap((s, i) => schemaProblems(s, `${path}[${i}]`));
  const o = schema as Json;
  const out: string[] = [];
  for (const banned of ['$ref', '$defs', 'definitions', 'const', 'oneOf', 'allOf', 'if', 'not']) {
    if (banned in o) out.push(`${path} uses ${banned}`);
  }
  if (Array.isArray(o.type) && o.type.includes('null')) out.push(`${path} has a nullable type`);
  if (Array.isArray(o.anyOf)) out.push(`${path} uses anyOf`);
  if (Array.isArray(o.enum) && !o.enum.every((e) => typeof e === 'string')) out.push(`${path} has a non-string enum`);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'properties' && v && typeof v === 'object') {
      for (const [p, s] of Object.entries(v)) out.push(...schemaProblems(s, `${path}.${p}`));
    } else if (k !== 'enum' && k !== 'default' && k !== 'required' && k !== 'examples') out.push(...schemaProblems(v, `${path}/${k}`));
  }
  return out;
}

describe('tools/list', () => {
  let t: TestWorld;
  let handler: HybridHandler;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    t = await openTestWorld({ principals: ['alice'] });
    handler = worldHandler(t.world);
    clients.legacy = await connectInProcess(handler, 'alice', { era: 'legacy' });
    clients.modern = await connectInProcess(handler, 'alice');
  });
  afterAll(async () => {
    for (const c of Object.values(clients)) await c.close();
    await handler.close();
    expect(t.world.check().violations).toEqual([]);
    await t.world.close();
  });

  it.each(['legacy', 'modern'])('is generated from the registry and obeys the client-compatibility rules (%s era)', async (era) => {
    const { tools } = await clients[era]!.listTools();
    expect(tools.length).toBeLessThanOrEqual(40);
    expect(tools.map((x) => x.name).sort()).toEqual(t.world.kernel.registry.publicMethods().map((m) => m.tool).sort());
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.title, tool.name).toBeTruthy();
      expect((tool.description ?? '').length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
      expect(schemaProblems(tool.inputSchema), tool.name).toEqual([]);
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      const a = tool.annotations!;
      expect(typeof a.readOnlyHint, tool.name).toBe('boolean');
      expect(typeof a.destructiveHint).toBe('boolean');
      expect(typeof a.idempotentHint).toBe('boolean');
      expect(a.openWorldHint).toBe(false);
      // A read-only tool destroys nothing, can be repeated, and takes no idempotency key.
      if (a.readOnlyHint) {
        expect(a.destructiveHint, tool.name).toBe(false);
        expect(tool.inputSchema.properties ?? {}).not.toHaveProperty('idempotency_key');
      } else {
        expect(tool.inputSchema.properties ?? {}, tool.name).toHaveProperty('idempotency_key');
      }
    }
    const byName = Object.fromEntries(tools.map((x) => [x.name, x]));
    expect(byName.artifact_delete!.annotations!.destructiveHint).toBe(true);
    expect(byName.ledger_balance!.annotations!.readOnlyHint).toBe(true);
    // Overwriting an artifact keeps no earlier version; a read may pay its contract's fee, so it is not read-only.
    expect(byName.artifact_write!.annotations!.destructiveHint).toBe(true);
    expect(byName.artifact_read!.annotations!.readOnlyHint).toBe(false);
  });

  it('names arguments consistently: artifact_* tools (and agent_* tools, an agent being an artifact) say id, others artifact_id, principals principal or to', async () => {
    const { tools } = await clients.modern!.listTools();
    for (const tool of tools) {
      const props = Object.keys((tool.inputSchema.properties ?? {}) as Json);
      if (tool.name.startsWith('artifact_') || ['agent_spawn', 'agent_status', 'agent_wake'].includes(tool.name)) expect(props, tool.name).toContain('id');
      else expect(props, tool.name).not.toContain('id');
      for (const p of props) expect(['owner', 'from', 'caller', 'principal_id', 'artifact']).not.toContain(p);
    }
  });

  it('pins every tool definition: a change to one must update this snapshot deliberately', async () => {
    const { tools } = await clients.modern!.listTools();
    const hashes = Object.fromEntries(
      tools
        .map((tool) => [tool.name, createHash('sha256').update(JSON.stringify({ ...tool, _meta: undefined })).digest('hex').slice(0, 16)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    await expect(JSON.stringify(hashes, null, 2)).toMatchFileSnapshot('./tools.snapshot.json');
  });
});
