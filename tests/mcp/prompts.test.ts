import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { buildHandbook } from '../../src/mcp/handbook/index.ts';
import { parseConfig } from '../../src/kernel/config.ts';
import { EVENT_TYPES } from '../../src/kernel/events.ts';
import { createRegistry } from '../../genesis/index.ts';
import { openTestWorld, type TestWorld } from '../helpers/world.ts';
import type { Client } from '@modelcontextprotocol/client';
import type { HybridHandler } from '../../src/mcp/hybrid.ts';

/** Words shaped like our tool names: an area prefix, then snake_case. */
const TOOL_SHAPED = /\b(?:ledger|artifact|store|events|rights|world|escrow|mint|package|capability|agent|memory|operator)_[a-z_]+\b/g;

describe('handbook prompts', () => {
  let t: TestWorld;
  let handler: HybridHandler;
  let client: Client;

  beforeAll(async () => {
    t = await openTestWorld({ principals: ['alice'], config: { principal_defaults: { scrip: 321 }, rates: { window_ms: 30_000 } } });
    handler = worldHandler(t.world);
    client = await connectInProcess(handler, 'alice');
  });
  afterAll(async () => {
    await client.close();
    await handler.close();
    await t.world.close();
  });

  it('serves an overview and one page per area', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['handbook', 'handbook_ledger', 'handbook_artifacts', 'handbook_contracts', 'handbook_trading', 'handbook_mint', 'handbook_debt', 'handbook_coordination', 'handbook_agents', 'handbook_bridges', 'handbook_packages']);
    for (const p of prompts) expect(p.description!.length).toBeGreaterThan(10);
  });

  it('mentions only tools that exist, and the numbers of the running config', async () => {
    const { tools } = await client.listTools();
    const names = new Set(tools.map((x) => x.name));
    for (const p of (await client.listPrompts()).prompts) {
      const page = await client.getPrompt({ name: p.name });
      const text = page.messages.map((m) => (m.content as { text: string }).text).join('\n');
      // Sessions are checked against the registry when built, and run by handbook-sessions.test.ts.
      const prose = text.replace(/```session[\s\S]*?```/g, '');
      const mentioned = new Set(prose.match(TOOL_SHAPED) ?? []);
      for (const word of mentioned) {
        // Asset and config words share the shape; only tool names must resolve.
        if (['llm_budget_micro_usd', 'world_time', 'artifact_id'].includes(word) || (EVENT_TYPES as readonly string[]).includes(word)) continue;
        expect(names.has(word), `${p.name} mentions ${word}`).toBe(true);
      }
      if (p.name === 'handbook') {
        expect(text).toContain('321 scrip');
        expect(text).toContain('per\n30-second window');
        for (const must of ['world_whoami', 'store_search', 'artifact_invoke', 'artifact_write']) expect(text).toContain(must);
      }
    }
  });

  it('refuses to build a page that names a method the registry lacks', () => {
    const registry = createRegistry();
    const broken = { ...registry, method: () => undefined, artifact: registry.artifact.bind(registry), publicMethods: registry.publicMethods.bind(registry) } as unknown as typeof registry;
    expect(() => buildHandbook(broken, parseConfig({}))).toThrow(/not a public genesis method/);
  });
});
