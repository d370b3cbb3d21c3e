import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { admission } from '../../src/mcp/admission.ts';

/** A server whose requests answer only when released, behind admission with tiny limits. */
async function serve(limits: { perPrincipal: number; total: number; queuePerPrincipal: number }) {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  const app = express();
  // Stands in for bearer auth: the principal comes from a header.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    (req as Request & { auth?: unknown }).auth = { extra: { principal: req.get('x-who') } } as never;
    next();
  });
  const admitted = admission(limits);
  app.use(admitted.admit);
  app.use(express.json());
  app.use(admitted.streamsLeave);
  app.post('/', (req: Request, res: Response) => {
    const tag = String((req.body as { tag: string }).tag);
    started.push(tag);
    release.set(tag, () => void res.json({ tag }));
  });
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const post = (who: string, tag: string, method = 'tools/call') => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-who': who }, body: JSON.stringify({ tag, method }) });
  return { server, url, started, release, post };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('admission before a body is read', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it("one principal's burst waits unread; another principal's request is admitted ahead of it, and a full line is refused", async () => {
    const s = await serve({ perPrincipal: 1, total: 2, queuePerPrincipal: 2 });
    server = s.server;
    const eve = ['e1', 'e2', 'e3'].map((tag) => s.post('eve', tag));
    await settle();
    // eve has one running and two waiting (their bodies not read); a fourth is refused at once.
    expect(s.started).toEqual(['e1']);
    const refused = await s.post('eve', 'e4');
    expect(refused.status).toBe(429);
    // alice arrives after eve's burst, and runs at once.
    const alice = s.post('alice', 'a1');
    await settle();
    expect(s.started).toEqual(['e1', 'a1']);
    // As slots free, eve's waiting requests run in order.
    s.release.get('e1')!();
    await settle();
    expect(s.started).toEqual(['e1', 'a1', 'e2']);
    s.release.get('a1')!();
    s.release.get('e2')!();
    await settle();
    s.release.get('e3')!();
    const answers = await Promise.all([...eve, alice].map(async (r) => (await r).status));
    expect(answers).toEqual([200, 200, 200, 200]);
  });

  it('a notification stream is admitted while its body is read, then leaves its slot (a header alone does not skip the line)', async () => {
    const s = await serve({ perPrincipal: 1, total: 4, queuePerPrincipal: 4 });
    server = s.server;
    // The listen stream starts (its body read in turn), then lets go of eve's only slot while it stays open.
    const stream = s.post('eve', 'l1', 'subscriptions/listen');
    await settle();
    const call = s.post('eve', 'c1');
    await settle();
    expect(s.started).toEqual(['l1', 'c1']);
    // A request that only claims to be a stream in its headers waits like any other.
    const raw = fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-who': 'eve', 'mcp-method': 'subscriptions/listen' },
      body: JSON.stringify({ tag: 'c2', method: 'tools/call' }),
    });
    await settle();
    expect(s.started).toEqual(['l1', 'c1']);
    s.release.get('c1')!();
    await settle();
    expect(s.started).toEqual(['l1', 'c1', 'c2']);
    s.release.get('c2')!();
    s.release.get('l1')!();
    expect(await Promise.all([stream, call, raw].map(async (r) => (await r).status))).toEqual([200, 200, 200]);
  });
});
