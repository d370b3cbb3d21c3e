import { describe, expect, it } from 'vitest';
import { ERAS, callOk, httpClient, useServedWorld } from '../helpers/mcp.ts';

describe('progress notifications for tool calls', () => {
  const served = useServedWorld(['alice', 'bob']);

  for (const era of ERAS) {
    it(`${era}: a call that asks for progress hears it queued, running and done; one that does not ask hears nothing`, async () => {
      const { http, tokens, world } = served();
      expect(world.invoke('alice', 'genesis_store', 'write', { id: `slow-${era}`, can_execute: true, code: 'export function f(){ let n = 0; for (let i = 0; i < 1e4; i++) n += i; return n }', interface: [{ name: 'f', description: 'f', inputSchema: { type: 'object' }, price: 0 }] }).ok).toBe(true);
      const c = await httpClient(http.url, tokens.bob!, era);
      try {
        const heard: { progress: number; total?: number; message?: string }[] = [];
        const r = await c.callTool({ name: 'artifact_invoke', arguments: { id: `slow-${era}`, method: 'f', args: {} } }, { onprogress: (p) => void heard.push(p) });
        expect(r.isError, JSON.stringify(r.structuredContent)).toBeFalsy();
        expect(heard.map((p) => [p.progress, p.total])).toEqual([
          [0, 2],
          [1, 2],
          [2, 2],
        ]);
        expect(heard.map((p) => p.message)).toEqual(['waiting for your turn in the world', 'running', 'done']);
        const quiet: unknown[] = [];
        c.setNotificationHandler('notifications/progress', (n) => void quiet.push(n));
        await callOk(c, 'ledger_balance');
        expect(quiet).toEqual([]);
      } finally {
        await c.close();
      }
      expect(world.check().ok).toBe(true);
    });
  }
});
