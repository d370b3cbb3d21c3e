/**
 * Red team: work the HTTP host does for a request before it knows who sent it. The JSON body parser
 * and the depth check run before bearer auth, so anyone who can reach the port, with no token, makes
 * the host parse and walk 2 MiB bodies (~160 ms of main-thread time each for ~690k empty objects;
 * bench/redteam-free-flood.ts --only unauth_body: 16 connections put a bystander's p50 past 1 s).
 *
 * The order shows in what a request without a token gets back: a body the parser refuses is answered
 * 400 (it was parsed) instead of 401 (nobody is asking).
 */
import { describe, expect, it } from 'vitest';
import { useServedWorld } from '../helpers/mcp.ts';

describe('red team: unauthenticated requests cost the host their body', () => {
  const served = useServedWorld(['alice']);

  const post = (url: string, body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });

  it('a request with no token is refused before its body is parsed', async () => {
    const { http } = served();
    const res = await post(http.url, '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":[' + '{},'.repeat(10) + '}');
    // Measured here: 400 "Parse error": the body was parsed before anyone checked for a token.
    expect(res.status).toBe(401);
  });

  it('a 2 MB body with no token costs the host no more than a tiny one', async () => {
    const { http } = served();
    const big = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":[${Array.from({ length: 690_000 }, () => '{}').join(',')}]}}`;
    const small = '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}';
    const time = async (body: string) => {
      const t0 = performance.now();
      const r = await post(http.url, body);
      await r.arrayBuffer();
      expect(r.status).toBe(401);
      return performance.now() - t0;
    };
    for (let i = 0; i < 3; i++) await time(small);
    const tiny = Math.min(await time(small), await time(small), await time(small));
    const large = Math.min(await time(big), await time(big), await time(big));
    // Sending 2 MB over loopback takes a few ms; measured here ~100-200 ms for the large one.
    expect(large, `tiny ${tiny.toFixed(1)} ms, large ${large.toFixed(1)} ms`).toBeLessThan(tiny + 40);
  });
});
