import { describe, expect, it } from 'vitest';
import { callError, callOk, ERAS, httpClient, useServedWorld } from '../helpers/mcp.ts';
import { stateOf } from '../helpers/world.ts';

describe('idempotency_key over MCP', () => {
  const served = useServedWorld(['alice', 'bob']);
  const scrip = (p: string): number => (served().world.invoke(served().world.operator, 'genesis_ledger', 'balance', { principal: p }) as { value: { balances: { scrip: number } } }).value.balances.scrip;

  it.each(ERAS)('attack 12: a numeric, empty, overlong or object idempotency_key is INVALID_ARGS and the same call twice moves nothing (%s era)', async (era) => {
    const { world, http, tokens } = served();
    const client = await httpClient(http.url, tokens.alice!, era);
    try {
      const before = stateOf(world);
      for (const key of [42, 0, -1.5, '', 'k'.repeat(129), { id: 'k' }, ['k'], true, null]) {
        for (let i = 0; i < 2; i++) {
          const e = await callError(client, 'ledger_transfer', { to: 'bob', amount: 5, idempotency_key: key });
          expect(e.code, JSON.stringify(key)).toBe('INVALID_ARGS');
          expect(e.message).toMatch(/idempotency_key/);
        }
      }
      expect(stateOf(world)).toBe(before);
      // A well-formed key still makes a retried call take effect once.
      const bob = scrip('bob');
      const key = `pay-${era}`;
      const first = await callOk(client, 'ledger_transfer', { to: 'bob', amount: 5, idempotency_key: key });
      const again = await callOk(client, 'ledger_transfer', { to: 'bob', amount: 5, idempotency_key: key });
      expect(again).toEqual(first);
      expect(scrip('bob')).toBe(bob + 5);
    } finally {
      await client.close();
    }
  });

  it('a read-only tool takes no key at all: passing one is INVALID_ARGS, not ignored', async () => {
    const { http, tokens } = served();
    const client = await httpClient(http.url, tokens.alice!, 'modern');
    try {
      expect((await callError(client, 'ledger_balance', { idempotency_key: 'k' })).code).toBe('INVALID_ARGS');
    } finally {
      await client.close();
    }
  });
});
