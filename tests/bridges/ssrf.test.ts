import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsrfRefused, addressRefusal, checkUrl, guardFetch } from '../../src/bridges/ssrf.ts';
import { loadDefinitions } from '../../src/bridges/definition.ts';
import { BridgeManager } from '../../src/bridges/manager.ts';

const BRIDGES = new URL('../../bridges', import.meta.url).pathname;

describe("the world's SSRF guard", () => {
  it('refuses every non-public address, in every spelling', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254']) {
      expect(addressRefusal(a), a).not.toBeNull();
    }
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) expect(addressRefusal(a), a).toBeNull();
  });

  it('checks URLs by literal and by every address a name resolves to', async () => {
    const dns = async (host: string) => ({ 'rebind.example': ['93.184.216.34', '10.0.0.5'], 'good.example': ['93.184.216.34'], 'meta.example': ['169.254.169.254'] })[host] ?? [];
    const refused = (u: unknown) => expect(checkUrl(u, dns)).rejects.toBeInstanceOf(SsrfRefused);
    for (const u of ['http://127.0.0.1/', 'http://[::1]:8080/', 'http://2130706433/', 'http://0x7f.1/', 'http://localhost/', 'http://a.localhost/', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:7f00:1]/', 'file:///etc/passwd', 'gopher://x/', 'http://user:pw@good.example/', 'http://rebind.example/', 'http://meta.example/', 'http://nowhere.example/', 'not a url', 42]) {
      await refused(u);
    }
    await expect(checkUrl('https://good.example/page', dns)).resolves.toBeInstanceOf(URL);
  });

  describe('redirects are checked hop by hop, before each is requested', () => {
    let server: Server;
    let base: string;
    const hits: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits.push(req.url!);
        if (req.url === '/to-private') res.writeHead(302, { location: 'http://10.0.0.1/secret' }).end();
        else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
        else res.writeHead(200).end('ok');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    // The stand-in server is on loopback, so the check under test lets only it through.
    const onlyStandIn = (url: string) => (url.startsWith(base) ? Promise.resolve() : Promise.reject(new SsrfRefused(`${url} refused`)));

    it('refuses a redirect to a private address without requesting it, and caps redirect loops', async () => {
      const f = guardFetch(fetch, onlyStandIn);
      expect(await (await f(`${base}/fine`)).text()).toBe('ok');
      await expect(f(`${base}/to-private`)).rejects.toThrow(/10\.0\.0\.1\/secret refused/);
      await expect(f(`${base}/loop`)).rejects.toThrow(/more than 5 redirects/);
      expect(hits.filter((h) => h === '/loop')).toHaveLength(6);
    });
  });

  it('guards the real fetch upstream from inside its process: what its own check misses (IPv4-mapped loopback, multicast) is refused too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fetch-'));
    const m = new BridgeManager(loadDefinitions(BRIDGES, {}), { filesRoot: dir, maxInstances: 2, startTimeoutMs: 15_000 });
    try {
      const { tools } = { tools: await m.tools('mcp_fetch') };
      expect(tools.map((t) => t.name)).toContain('fetch_html');
      for (const url of ['http://127.0.0.1:9/', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/']) {
        const r = await m.call('mcp_fetch', 'alice', 'fetch_html', { url }, 10_000);
        expect(r.result.isError, url).toBe(true);
      }
      // The upstream's own check lets these through to its fetch; the world's guard, loaded into it, does not.
      for (const [url, why] of [['http://[::ffff:7f00:1]/', 'is a loopback address'], ['http://224.0.0.1:9/', 'is a multicast address']]) {
        const r = await m.call('mcp_fetch', 'alice', 'fetch_html', { url: url! }, 10_000);
        expect(r.result.isError, url).toBe(true);
        expect(JSON.stringify(r.result.content), url).toContain(why);
      }
    } finally {
      await m.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
