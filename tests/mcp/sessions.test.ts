import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { callOk, httpClient, useServedWorld } from '../helpers/mcp.ts';

/** A raw 2025-era initialize, to see the status and headers a refusal carries. */
const initialize = (url: string, token: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });

const works = async (c: Client) => (await callOk(c, 'world_whoami')).principal as string;
const closed = (c: Client) => expect(c.callTool({ name: 'world_whoami', arguments: {} })).rejects.toThrow(/session not found|404/i);

describe('2025-era sessions: one principal cannot push another off the server', () => {
  const served = useServedWorld(['alice', 'eve'], {}, { sessions: { maxSessions: 6, maxSessionsPerPrincipal: 3 } });

  it('attack 10: session table eviction — a flood of one principal\'s sessions closes only its own oldest; everyone else\'s keep working', async () => {
    const { http, tokens } = served();
    const alice = await httpClient(http.url, tokens.alice!, 'legacy');
    const eve: Client[] = [];
    try {
      expect(await works(alice)).toBe('alice');
      for (let i = 0; i < 10; i++) eve.push(await httpClient(http.url, tokens.eve!, 'legacy'));
      expect(http.handler.sessionCount).toBe(4);
      for (const c of eve.slice(0, 7)) await closed(c);
      for (const c of eve.slice(7)) expect(await works(c)).toBe('eve');
      expect(await works(alice)).toBe('alice');
    } finally {
      for (const c of [alice, ...eve]) await c.close();
    }
  });
});

describe('2025-era sessions: a full table', () => {
  const served = useServedWorld(['alice', 'bob', 'carol'], {}, { sessions: { maxSessions: 4, maxSessionsPerPrincipal: 2 } });

  it('attack 10: session table eviction — at a full table a newcomer takes the least recently used session of whoever holds the most, never anyone\'s last', async () => {
    const { http, tokens } = served();
    const clients: Client[] = [];
    const open = async (p: string) => {
      const c = await httpClient(http.url, tokens[p]!, 'legacy');
      clients.push(c);
      return c;
    };
    try {
      const a1 = await open('alice');
      const a2 = await open('alice');
      const b1 = await open('bob');
      const b2 = await open('bob');
      await works(a2);
      expect(http.handler.sessionCount).toBe(4);
      // carol arrives at a full table: alice holds the most (tied with bob, and first), and her idlest goes.
      const c1 = await open('carol');
      await closed(a1);
      expect([await works(a2), await works(b1), await works(b2), await works(c1)]).toEqual(['alice', 'bob', 'bob', 'carol']);
      expect(http.handler.sessionCount).toBe(4);
      // carol's second session would leave bob 1 and carol 2, no fairer: carol replaces her own instead.
      const c2 = await open('carol');
      await closed(c1);
      expect([await works(a2), await works(b1), await works(b2), await works(c2)]).toEqual(['alice', 'bob', 'bob', 'carol']);
      // At a full table a principal may still replace its own least recently used session.
      await works(b1);
      const b3 = await open('bob');
      await closed(b2);
      expect([await works(b1), await works(b3), await works(a2), await works(c2)]).toEqual(['bob', 'bob', 'alice', 'carol']);
      // A session ended by its client (DELETE) makes room.
      const t = (b3 as unknown as { _transport: { terminateSession(): Promise<void> } })._transport;
      await t.terminateSession();
      expect(http.handler.sessionCount).toBe(3);
      expect(await works(await open('carol'))).toBe('carol');
    } finally {
      for (const c of clients) await c.close().catch(() => {});
    }
  });

  it('sessions opened all at once still respect the per-principal limit', async () => {
    const { http, tokens } = served();
    const tries = await Promise.allSettled(Array.from({ length: 12 }, () => httpClient(http.url, tokens.alice!, 'legacy')));
    const opened = tries.flatMap((t) => (t.status === 'fulfilled' ? [t.value] : []));
    try {
      const alive = (await Promise.all(opened.map((c) => works(c).then(() => true, () => false)))).filter(Boolean).length;
      expect(alive).toBeLessThanOrEqual(2);
      expect(http.handler.sessionCount).toBeLessThanOrEqual(4);
    } finally {
      for (const c of opened) await c.close();
    }
  });
});

describe('2025-era sessions: a table where everyone holds one', () => {
  const served = useServedWorld(['alice', 'bob', 'carol'], {}, { sessions: { maxSessions: 2, maxSessionsPerPrincipal: 2 } });

  it('attack 10: session table eviction — a newcomer gets 503 with Retry-After rather than closing anyone\'s only session', async () => {
    const { http, tokens } = served();
    const a = await httpClient(http.url, tokens.alice!, 'legacy');
    const b = await httpClient(http.url, tokens.bob!, 'legacy');
    try {
      const res = await initialize(http.url, tokens.carol!);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await res.json()) as { error: { code: number; message: string } };
      expect(body.error.message).toMatch(/maximum of 2 .*2026-07-28/);
      // The 2026-07-28 era needs no session: carol is still served, and nobody lost theirs.
      expect(await works(await httpClient(http.url, tokens.carol!, 'modern'))).toBe('carol');
      expect([await works(a), await works(b)]).toEqual(['alice', 'bob']);
      expect(http.handler.sessionCount).toBe(2);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('2025-era sessions: default limits', () => {
  const served = useServedWorld(['alice', 'eve']);

  it('attack 10: session table eviction — 300 sessions of one principal leave it 8 and the table small, and another principal is untouched', async () => {
    const { http, tokens } = served();
    const alice = await httpClient(http.url, tokens.alice!, 'legacy');
    const eve: Client[] = [];
    try {
      for (let i = 0; i < 300; i++) {
        const c = await httpClient(http.url, tokens.eve!, 'legacy');
        eve.push(c);
        if (eve.length > 8) await eve.shift()!.close();
      }
      expect(http.handler.sessionCount).toBe(9);
      expect(await works(alice)).toBe('alice');
    } finally {
      for (const c of [alice, ...eve]) await c.close();
    }
  });
});

describe('2026-era notification streams', () => {
  const served = useServedWorld(['alice', 'eve'], {}, { sessions: { maxListensPerPrincipal: 2 } });

  it('attack 10 (2026 era): one principal may hold only so many subscriptions/listen streams; another principal still listens and is told of changes', async () => {
    const { world, http, tokens } = served();
    const eve = await httpClient(http.url, tokens.eve!, 'modern');
    const alice = await httpClient(http.url, tokens.alice!, 'modern');
    try {
      expect(world.invoke('alice', 'genesis_store', 'write', { id: 'doc', content: 'v1' }).ok).toBe(true);
      const held = [await eve.listen({ resourceSubscriptions: ['artifact://doc'] }), await eve.listen({ resourceSubscriptions: ['artifact://doc'] })];
      expect(http.handler.listensOf('eve')).toBe(2);
      await expect(eve.listen({ resourceSubscriptions: ['artifact://doc'] })).rejects.toThrow(/429|subscriptions\/listen streams/);
      expect(http.handler.listensOf('eve')).toBe(2);
      const told = new Promise<string>((resolve) => alice.setNotificationHandler('notifications/resources/updated', (n) => resolve(n.params.uri)));
      const sub = await alice.listen({ resourceSubscriptions: ['artifact://doc'] });
      expect(world.invoke('alice', 'genesis_store', 'write', { id: 'doc', content: 'v2' }).ok).toBe(true);
      expect(await told).toBe('artifact://doc');
      // A stream the client closes frees its place.
      await held[0]!.close();
      await expect.poll(() => http.handler.listensOf('eve'), { timeout: 5_000 }).toBe(1);
      held.push(await eve.listen({ resourceSubscriptions: ['artifact://doc'] }));
      await sub.close();
      // A client that just goes away frees its streams too.
      await eve.close();
      await expect.poll(() => http.handler.listensOf('eve'), { timeout: 5_000 }).toBe(0);
    } finally {
      await eve.close();
      await alice.close();
    }
  });
});
