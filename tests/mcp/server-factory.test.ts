import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFactory, serverParts, type ServerParts } from '../../src/mcp/server.ts';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { callError, callOk } from '../helpers/mcp.ts';
import { openTestWorld, type TestWorld } from '../helpers/world.ts';
import type { McpServer } from '@modelcontextprotocol/server';

/** What an instance was built with (SDK internals: the point of the factory's shortcut is what it builds). */
const built = (server: McpServer) => {
  const s = server as unknown as { _registeredTools: object; _registeredPrompts: object; _registeredResourceTemplates: object };
  return { tools: Object.keys(s._registeredTools), prompts: Object.keys(s._registeredPrompts).length, templates: Object.keys(s._registeredResourceTemplates).length };
};

const modernRequest = (headers: Record<string, string>) => ({ era: 'modern' as const, requestInfo: new Request('http://localhost/mcp', { method: 'POST', headers }) });

describe('the per-request server factory', () => {
  let t: TestWorld;
  let parts: ServerParts;

  beforeAll(async () => {
    t = await openTestWorld({ principals: ['alice', 'bob'] });
    parts = serverParts(t.world);
  });
  afterAll(async () => {
    expect(t.world.check().violations).toEqual([]);
    await t.world.close();
  });

  it('builds only the called tool for a 2026-era tools/call', () => {
    const factory = createFactory(parts, () => 'alice');
    const one = built(factory(modernRequest({ 'mcp-method': 'tools/call', 'mcp-name': 'ledger_balance' }), null));
    expect(one).toEqual({ tools: ['ledger_balance'], prompts: 0, templates: 0 });
  });

  it('builds everything for any other request, a 2025-era connection, or a name it does not know', () => {
    const factory = createFactory(parts, () => 'alice');
    const all = parts.tools.map((x) => x.name);
    for (const ctx of [
      modernRequest({ 'mcp-method': 'tools/list' }),
      modernRequest({ 'mcp-method': 'prompts/get', 'mcp-name': 'handbook' }),
      modernRequest({ 'mcp-method': 'tools/call', 'mcp-name': 'no_such_tool' }),
      { era: 'legacy' as const },
      { era: 'modern' as const },
    ]) {
      const b = built(factory(ctx, null));
      expect(b.tools).toEqual(all);
      expect(b.prompts).toBeGreaterThan(0);
      expect(b.templates).toBe(1);
    }
  });

  it('over a real connection, calls, lists, prompts and unknown tools all behave as before', async () => {
    const handler = worldHandler(t.world);
    const c = await connectInProcess(handler, 'alice');
    try {
      expect((await callOk(c, 'ledger_transfer', { to: 'bob', amount: 2 })).balance_after).toBe(98);
      expect((await c.listTools()).tools.map((x) => x.name)).toEqual(parts.tools.map((x) => x.name));
      expect((await c.listPrompts()).prompts.length).toBe(parts.handbook.length);
      const unknown = await c.callTool({ name: 'no_such_tool', arguments: {} }).catch((e: Error) => ({ isError: true, thrown: e.message }));
      expect(unknown.isError).toBe(true);
      expect((await callError(c, 'ledger_transfer', { to: 'bob', amount: -1 })).code).toBe('INVALID_ARGS');
    } finally {
      await c.close();
      await handler.close();
    }
  });
});
