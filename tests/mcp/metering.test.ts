import { describe, expect, it } from 'vitest';
import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { VirtualClock } from '../../src/kernel/clock.ts';
import { OPERATOR } from '../../src/kernel/door.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { MAX_SUBSCRIPTIONS } from '../../src/mcp/resources.ts';
import { ERAS, httpClient, useServedWorld, type Era } from '../helpers/mcp.ts';
import { stateOf, T0 } from '../helpers/world.ts';

const CALLS = 8;
const complete = (c: Client, value: string) => c.complete({ ref: { type: 'ref/resource', uri: 'artifact://{id}' }, argument: { name: 'id', value } });
const readStatus = async (c: Client) => JSON.parse(((await c.readResource({ uri: 'world://status' })).contents[0] as { text: string }).text);

/** The structured kernel error a refused (non-tool) request carries as its JSON-RPC error data. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; retry_after_ms?: number }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the request should have been refused').toBeInstanceOf(ProtocolError);
  return (err as ProtocolError).data as { code: string; message: string; retry_after_ms?: number };
}

describe('every MCP request that does world work is charged to its principal', () => {
  // A virtual clock: the rate windows stay where the test puts them.
  const served = useServedWorld(['alice', 'eve-legacy', 'eve-modern', 'fay-legacy', 'fay-modern'], { clock: new VirtualClock(T0), config: { principal_defaults: { calls: CALLS } } });
  const callsUsed = (p: string): number => {
    const r = served().world.invoke(OPERATOR, 'genesis_rights', 'quotas', { principal: p });
    if (!r.ok) throw new Error(r.error.message);
    return (r.value as { rates: { calls: { used: number } } }).rates.calls.used;
  };
  const commandsOf = (p: string): number => served().world.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM commands WHERE principal = ? AND target = 'genesis_store' AND method = 'search'", p)!.n;

  it.each(ERAS)('attack 9: unmetered completion — artifact id completion runs as the caller, uses its calls window, is refused RATE_LIMITED, and offers only what it may see (%s era)', async (era: Era) => {
    const { world, http, tokens } = served();
    const eve = `eve-${era}`;
    if (era === 'legacy') {
      for (const [id, contract] of [['secret_plan', 'genesis_contract_private'], ['secret_recipe', 'genesis_contract_freeware']] as const) {
        expect(world.invoke('alice', 'genesis_store', 'write', { id, content: 'x', access_contract_id: contract }).ok).toBe(true);
      }
    }
    const client = await httpClient(http.url, tokens[eve]!, era);
    const alice = await httpClient(http.url, tokens.alice!, era);
    try {
      const operatorSearches = commandsOf(OPERATOR);
      // Only ids the caller may see: alice's private artifact is offered to alice, never to eve.
      expect((await complete(client, 'secret')).completion.values).toEqual(['secret_recipe']);
      expect((await complete(alice, 'secret')).completion.values).toEqual(['secret_plan', 'secret_recipe']);
      expect((await complete(client, '')).completion.values).toContain('secret_recipe');
      expect(callsUsed(eve)).toBe(2);
      for (let i = 2; i < CALLS; i++) await complete(client, 'sec');
      expect(callsUsed(eve)).toBe(CALLS);
      // Spent: refused like any other call, with the time to wait, and nothing changes.
      const before = stateOf(world);
      for (let i = 0; i < 5; i++) {
        const e = await refusal(complete(client, 'secret'));
        expect(e.code).toBe('RATE_LIMITED');
        expect(e.retry_after_ms).toBeGreaterThan(0);
        expect(e.message.length).toBeGreaterThan(20);
      }
      expect(stateOf(world)).toBe(before);
      // Each completion is a command of eve's own; none ran as the operator.
      expect(commandsOf(eve)).toBe(CALLS + 5);
      expect(commandsOf(OPERATOR)).toBe(operatorSearches);
    } finally {
      await client.close();
      await alice.close();
    }
  });

  it('completion of anything else costs nothing and says what exists', async () => {
    const { http, tokens } = served();
    const client = await httpClient(http.url, tokens.alice!, 'modern');
    try {
      const used = callsUsed('alice');
      expect((await client.complete({ ref: { type: 'ref/prompt', name: 'handbook' }, argument: { name: 'x', value: '' } })).completion.values).toEqual([]);
      expect((await client.complete({ ref: { type: 'ref/resource', uri: 'world://status' }, argument: { name: 'x', value: '' } })).completion.values).toEqual([]);
      await expect(client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'x', value: '' } })).rejects.toThrow(/prompts\/list/);
      await expect(client.complete({ ref: { type: 'ref/resource', uri: 'file://{x}' }, argument: { name: 'x', value: '' } })).rejects.toThrow(/artifact:\/\/\{id\}/);
      expect(callsUsed('alice')).toBe(used);
    } finally {
      await client.close();
    }
  });

  it.each(ERAS)('attack 9: world://status is read as the caller, uses its calls window and is refused once it is spent (%s era)', async (era: Era) => {
    const { world, http, tokens } = served();
    const fay = `fay-${era}`;
    const client = await httpClient(http.url, tokens[fay]!, era);
    try {
      expect(await readStatus(client)).toMatchObject({ principals: 5 });
      expect(callsUsed(fay)).toBe(1);
      for (let i = 1; i < CALLS; i++) await readStatus(client);
      const before = stateOf(world);
      const e = await refusal(readStatus(client));
      expect(e.code).toBe('RATE_LIMITED');
      expect(e.retry_after_ms).toBeGreaterThan(0);
      expect(stateOf(world)).toBe(before);
      // A new window starts after rates.window_ms (every test here has spent its own principal's).
      (world.clock as VirtualClock).advance(world.config.rates.window_ms + 1);
      expect(callsUsed(fay)).toBe(0);
      await readStatus(client);
    } finally {
      await client.close();
    }
  });
});

describe('2025-era resource subscriptions', () => {
  const served = useServedWorld(['alice']);

  it(`are held per connection, at most ${MAX_SUBSCRIPTIONS}: one more is LIMIT_EXCEEDED, and unsubscribing makes room`, async () => {
    const handler = worldHandler(served().world);
    const client = await connectInProcess(handler, 'alice', { era: 'legacy' });
    try {
      for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) await client.subscribeResource({ uri: `artifact://n${i}` });
      await client.subscribeResource({ uri: 'artifact://n0' }); // already watched: no new entry
      await expect(client.subscribeResource({ uri: 'artifact://one_more' })).rejects.toThrow(/LIMIT_EXCEEDED/);
      await client.unsubscribeResource({ uri: 'artifact://n0' });
      await client.subscribeResource({ uri: 'artifact://one_more' });
    } finally {
      await client.close();
      await handler.close();
    }
  });
});
