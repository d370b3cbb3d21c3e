import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { EXAMPLE_PACKAGE, SESSION_CAST, buildHandbook, parseSessions } from '../../src/mcp/handbook/index.ts';
import { registryStandIn } from '../packages/registry-standin.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type ConfigInput } from '../../src/kernel/config.ts';
import { createRegistry } from '../../genesis/index.ts';
import { openTestWorld } from '../helpers/world.ts';
import { runSession } from '../helpers/session.ts';
import type { Client } from '@modelcontextprotocol/client';
import type { World } from '../../src/world.ts';

/** Every worked example in the handbook, read from the page an agent gets and run exactly as printed. */
async function runExample(config: ConfigInput, page: string, index: number, prepare: (w: World) => Promise<unknown> = async () => {}): Promise<string> {
  const t = await openTestWorld({ config });
  let text = '';
  const handler = worldHandler(t.world);
  const clients: Record<string, Client> = {};
  try {
    await prepare(t.world);
    for (const p of SESSION_CAST.principals) {
      const r = t.world.createPrincipal(p, { scrip: SESSION_CAST.scrip });
      if (!r.ok) throw new Error(r.error.message);
      clients[p] = await connectInProcess(handler, p);
    }
    const prompt = await clients[SESSION_CAST.principals[0]]!.getPrompt({ name: page });
    text = prompt.messages.map((m) => (m.content as { text: string }).text).join('\n');
    const session = parseSessions(text)[index];
    if (!session) throw new Error(`${page} has no session ${index + 1}`);
    await runSession(session, clients, t.clock);
  } finally {
    for (const c of Object.values(clients)) await c.close();
    await handler.close();
    const report = t.world.check();
    await t.world.close();
    expect(report.violations).toEqual([]);
  }
  return text;
}

/** (page, session index) for every session the handbook has under a config. */
function examples(config: ConfigInput): [string, number][] {
  return buildHandbook(createRegistry(), parseConfig(config)).flatMap((p) => parseSessions(p.text).map((_, i) => [p.name, i] as [string, number]));
}

describe('handbook worked examples', () => {
  it('cover trading, the mint, debt, coordination, packages and capability requests', () => {
    const pages = new Set(examples({}).map(([p]) => p));
    expect([...pages]).toEqual(['handbook_trading', 'handbook_mint', 'handbook_debt', 'handbook_coordination', 'handbook_packages']);
  });

  // The packages example installs from a registry: run below against a stand-in serving the same package.
  const needsRegistry = ([p, i]: [string, number]) => p === 'handbook_packages' && i === 0;
  it.each(examples({}).filter((e) => !needsRegistry(e)))('%s, session %i, runs as written', async (page, index) => {
    await runExample({}, page, index);
  });

  it('handbook_packages installs its package as written (from a stand-in registry serving it)', async () => {
    const reg = await registryStandIn([
      { name: EXAMPLE_PACKAGE.name, version: EXAMPLE_PACKAGE.version, main: 'index.js', dependencies: { 'is-number': '^6.0.0' }, files: { 'index.js': "const isNumber = require('is-number'); module.exports = (n) => { if (!isNumber(n)) throw new TypeError('expected a number'); return Math.abs(n % 2) === 1; };" } },
      { name: 'is-number', version: '6.0.0', main: 'index.js', files: { 'index.js': "module.exports = (n) => typeof n === 'number' ? n - n === 0 : typeof n === 'string' && n.trim() !== '' && Number.isFinite(+n);" } },
    ]);
    const cache = mkdtempSync(join(tmpdir(), 'npm-cache-'));
    try {
      const text = await runExample({ packages: { registry: reg.url, cache_dir: cache } }, 'handbook_packages', 0);
      expect(text).toContain('package_install {"name":"is-odd","version":"3.0.1"}');
      // Where installs are off, the page says so and prints no install session.
      expect(examples({ packages: { enabled: false } }).filter(([p]) => p === 'handbook_packages')).toEqual([['handbook_packages', 0]]);
    } finally {
      await reg.close();
      rmSync(cache, { recursive: true, force: true });
    }
  }, 60_000);

  // Spawning needs an LLM endpoint: the agents example is printed (and run) only where one is configured. No
  // model is called: nothing hosts the agent during the session.
  const withModel: ConfigInput = { llm: { endpoints: { local: { base_url: 'http://127.0.0.1:9/v1', model: 'stand-in' } }, default_endpoint: 'local' } };
  it('handbook_agents runs as written where an LLM endpoint is configured', async () => {
    expect(examples(withModel).filter(([p]) => p === 'handbook_agents')).toEqual([['handbook_agents', 0]]);
    await runExample(withModel, 'handbook_agents', 0);
  });

  // The bridges page is written from the world's live bridge list: its example is printed (and run) where the
  // bridges it uses are registered and on, with their fees as this world charges them.
  it('handbook_bridges lists the live bridges and runs as written where they are on', async () => {
    expect(examples({}).some(([p]) => p === 'handbook_bridges')).toBe(false);
    const text = await runExample({}, 'handbook_bridges', 0, (w) => w.registerBridges());
    expect(text).toMatch(/- `mcp_everything`: The MCP reference server.* Fee 1 scrip a call\. Tools: .*`echo`/);
    expect(text).toMatch(/- `mcp_github`: off \(GITHUB_TOKEN is not set\)/);
    // Upstream descriptions are the upstream's words: none reaches the page.
    expect(text).not.toContain('[upstream text');
    // Fees as configured: the printed balances follow them.
    const dear = { bridges: { settings: {} } };
    const text2 = await runExample(dear, 'handbook_bridges', 0, async (w) => {
      await w.registerBridges({ only: ['mcp_everything', 'mcp_filesystem'] });
      const r = await w.submit(w.operator, 'genesis_bridges', 'define', { definition: { mcpServers: { everything: JSON.parse(readFileSync(new URL('../../bridges/everything.json', import.meta.url), 'utf8')).mcpServers.everything }, ecology: { description: 'Echo, dearly.', fee: 3 } } });
      if (!r.ok) throw new Error(r.error.message);
      await w.bridgeHost!.reload();
    });
    expect(text2).toContain('Fee 3 scrip a call');
  }, 120_000);

  // The figures in the mint example come from the config; they must stay right when it changes.
  const variant: ConfigInput = { mint: { slots: 2, minimum_bid: 4, mint_ratio: 3, usage_points_per_payer: 25, period_ms: 600_000 } };
  it('handbook_mint runs as written under other mint settings', async () => {
    await runExample(variant, 'handbook_mint', 0);
  });
});

describe('the session runner', () => {
  it('fails an example whose printed result is wrong, whose error differs, or that uses an unbound name', async () => {
    const t = await openTestWorld({ principals: ['alice', 'bob'] });
    const handler = worldHandler(t.world);
    const alice = await connectInProcess(handler, 'alice');
    try {
      const c = { alice };
      await expect(runSession([{ as: 'alice', tool: 'ledger_balance', args: {}, returns: { balances: { scrip: 99 } } }], c, t.clock)).rejects.toThrow(/balances.scrip/);
      await expect(runSession([{ as: 'alice', tool: 'ledger_transfer', args: { to: 'bob', amount: 1 }, fails: 'NOT_FOUND' }], c, t.clock)).rejects.toThrow(/should fail/);
      await expect(runSession([{ as: 'alice', tool: 'escrow_cancel', args: { listing_id: '$nope' } }], c, t.clock)).rejects.toThrow(/used before it is bound/);
      const vars = await runSession([{ as: 'alice', tool: 'world_whoami', args: {}, returns: { principal: '$me' } }], c, t.clock);
      expect(vars.get('$me')).toBe('alice');
    } finally {
      await alice.close();
      await handler.close();
      expect(t.world.check().violations).toEqual([]);
      await t.world.close();
    }
  });
});
