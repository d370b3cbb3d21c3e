import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeArtifact, openTestWorld, type TestWorld } from '../helpers/world.ts';
import { loadDefinitions } from '../../src/bridges/definition.ts';
import { BridgeManager } from '../../src/bridges/manager.ts';
import { processTreeCpuMs } from '../../src/bridges/cpu.ts';
import { BridgeCallNeeded, type OutsideRecord } from '../../src/kernel/outside.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';

/**
 * Red team: bridges (upstream MCP servers as metered artifacts), attacked with real components: a libSQL
 * world, the upstream servers from npm over stdio, QuickJS for agents' code. Each test is an attack; those
 * that once worked were mended, and all stay as regressions asserting the defence.
 */

const BRIDGES = new URL('../../bridges', import.meta.url).pathname;
const START = 60_000;

const value = <T = any>(r: InvokeResult): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};
const scrip = (t: TestWorld, p: string) => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip as number;
const cpuLeft = (t: TestWorld, p: string) => t.world.kernel.services.rates.status(p, 'cpu_ms', t.clock.now()).remaining;
const outsideOf = (t: TestWorld, commandId: string): OutsideRecord[] => JSON.parse(t.world.store.one<{ outside: string | null }>('SELECT outside FROM commands WHERE id = ?', commandId)?.outside ?? '[]');
const feesBurnedBy = (t: TestWorld, payer: string) => t.world.store.one<{ n: number }>("SELECT COALESCE(SUM(amount), 0) AS n FROM journal WHERE kind = 'burn' AND from_id = ? AND cause LIKE 'price:mcp_%'", payer)!.n;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A stand-in for a service only the host should reach (loopback): it counts every request that gets to it. */
async function internalService(): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`internal-secret-4242 at ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** A world with the shipped bridges; `calls` counts calls that reached an upstream, `onCall` runs as each is made. */
function bridgedWorld(opts: { config?: ConfigInput; principals: string[] }) {
  const w = { t: undefined as unknown as TestWorld, calls: 0, onCall: null as (() => void) | null };
  beforeAll(async () => {
    w.t = await openTestWorld(opts);
    expect(await w.t.world.registerBridges()).toEqual({});
    const m = w.t.world.bridges!;
    const call = m.call.bind(m);
    m.call = (...a: Parameters<typeof call>) => {
      w.calls++;
      w.onCall?.();
      return call(...a);
    };
  }, START);
  afterAll(async () => {
    const report = w.t.world.check();
    await w.t.world.close();
    expect(report.violations).toEqual([]);
  });
  return w;
}

describe('red team: bridges', () => {
  const w = bridgedWorld({ principals: ['alice', 'bob', 'mallory'] });
  const invoke = (as: string, id: string, method: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) => w.t.world.submit(as, 'genesis_store', 'invoke', { id, method, args, ...extra });
  const m = () => w.t.world.bridges!;
  const write = (id: string, code: string, methods: string[], funds = 0) => {
    w.t.ok('mallory', 'genesis_store', 'write', { ...codeArtifact(id, code, methods.map((name) => ({ name }))), has_standing: true });
    if (funds > 0) w.t.ok('mallory', 'genesis_ledger', 'transfer', { to: id, amount: funds });
  };

  describe("files: one principal's folder and graph are its own", () => {
    it('path tricks into another folder are refused before any upstream sees them', async () => {
      value(await invoke('alice', 'mcp_filesystem', 'write_file', { path: 'secret.txt', content: 'alice-secret-7731' }));
      const aliceDir = m().principalDir('alice');
      const attempts: [string, Record<string, unknown>][] = [
        ['read_text_file', { path: '../alice/secret.txt' }],
        ['read_text_file', { path: `${aliceDir}/secret.txt` }],
        ['read_text_file', { path: './x/../../alice/secret.txt' }],
        ['read_text_file', { path: '/proc/self/environ' }],
        ['read_text_file', { path: '~/secret.txt' }],
        ['read_text_file', { path: '%2e%2e/alice/secret.txt' }],
        ['read_text_file', { path: '..\\alice\\secret.txt' }],
        ['read_text_file', { path: 'mine.txt\u0000/../../alice/secret.txt' }],
        ['read_multiple_files', { paths: ['mine.txt', '../alice/secret.txt'] }],
        ['move_file', { source: `${aliceDir}/secret.txt`, destination: 'stolen.txt' }],
        ['move_file', { source: 'mine.txt', destination: '../alice/secret.txt' }],
        ['write_file', { path: '../alice/secret.txt', content: 'overwritten' }],
        ['edit_file', { path: `${aliceDir}/secret.txt`, edits: [{ oldText: 'alice', newText: 'mallory' }] }],
        ['create_directory', { path: '../alice/planted' }],
        ['list_directory', { path: '..' }],
        ['directory_tree', { path: dirname(aliceDir) }],
        ['search_files', { path: '/', pattern: 'secret' }],
        ['get_file_info', { path: `${aliceDir}/secret.txt` }],
      ];
      const before = w.calls;
      for (const [tool, args] of attempts) {
        const r = await invoke('mallory', 'mcp_filesystem', tool, args);
        expect(!r.ok && r.error.code, `${tool} ${JSON.stringify(args)}`).toBe('ACCESS_DENIED');
        expect(JSON.stringify(r)).not.toContain('alice-secret-7731');
      }
      expect(w.calls).toBe(before);
      expect(readFileSync(join(aliceDir, 'secret.txt'), 'utf8')).toBe('alice-secret-7731');
      expect(existsSync(join(aliceDir, 'planted'))).toBe(false);
    });

    it('refusals are the same whether or not the other file exists: no oracle for file names', async () => {
      const aliceDir = m().principalDir('alice');
      for (const [there, nowhere] of [['../alice/secret.txt', '../alice/no-such-file.txt'], [`${aliceDir}/secret.txt`, `${aliceDir}/no-such-file.txt`]]) {
        const texts = await Promise.all([there!, nowhere!].map(async (path) => {
          const r = await invoke('mallory', 'mcp_filesystem', 'get_file_info', { path });
          return !r.ok && r.error.message.replace(path, 'P');
        }));
        expect(texts[0]).toBe(texts[1]);
      }
    });

    it('a link out of a folder, however it got there, is refused by the world and by the upstream; no tool makes one', async () => {
      const tools: string[] = w.t.peek('genesis_store', 'info', { id: 'mcp_filesystem' }).interface.map((x: { name: string }) => x.name);
      expect(tools.filter((n) => /link/i.test(n))).toEqual([]);
      const mine = m().ensurePrincipalDir('mallory');
      symlinkSync(m().principalDir('alice'), join(mine, 'door'));
      symlinkSync(join(m().principalDir('alice'), 'secret.txt'), join(mine, 'peek.txt'));
      const before = w.calls;
      for (const [tool, args] of [
        ['read_text_file', { path: 'door/secret.txt' }],
        ['read_text_file', { path: 'peek.txt' }],
        ['write_file', { path: 'door/new.txt', content: 'x' }],
        ['list_directory', { path: 'door' }],
        ['move_file', { source: 'door/secret.txt', destination: 'got.txt' }],
      ] as const) {
        const r = await invoke('mallory', 'mcp_filesystem', tool, args);
        expect(!r.ok && r.error.code, `${tool} ${JSON.stringify(args)}`).toBe('ACCESS_DENIED');
      }
      expect(w.calls).toBe(before);
      // Past the world's guard (straight to the manager), mallory's own upstream refuses the link too.
      const direct = await m().call('mcp_filesystem', 'mallory', 'read_text_file', { path: join(mine, 'peek.txt') }, START);
      expect(direct.result.isError).toBe(true);
      expect(JSON.stringify(direct.result.content)).not.toContain('alice-secret-7731');
      rmSync(join(mine, 'door'));
      rmSync(join(mine, 'peek.txt'));
    });

    it('principal and artifact ids cannot collide as folder names: case, dots, unicode, long ids, the probe folder', async () => {
      for (const id of ['Alice', 'ALICE', '.', '..', '.world', 'alice/', 'a/../alice', '\uff41lice', 'alice ', 'alice.', `a${'x'.repeat(200)}`]) {
        expect(w.t.world.createPrincipal(id).ok, id).toBe(false);
        expect(w.t.call('mallory', 'genesis_store', 'write', { id, content: 'x' }).ok, id).toBe(false);
      }
      expect(() => m().ensurePrincipalDir('.world')).toThrow(/folder of its own/);
      // Dots only in one's own namespace; each id is a folder of its own beside the others, never inside one.
      expect(w.t.call('mallory', 'genesis_store', 'write', { id: 'alice.x', content: 'x' }).ok).toBe(false);
      w.t.ok('alice', 'genesis_store', 'write', { ...codeArtifact('alice.b', `export function go() { return invoke('mcp_filesystem', 'write_file', { path: 'secret.txt', content: 'b' }); }`, [{ name: 'go' }]), has_standing: true });
      w.t.ok('alice', 'genesis_ledger', 'transfer', { to: 'alice.b', amount: 2 });
      value(await invoke('alice', 'alice.b', 'go', {}));
      expect(dirname(m().principalDir('alice.b'))).toBe(dirname(m().principalDir('alice')));
      expect(readFileSync(join(m().principalDir('alice.b'), 'secret.txt'), 'utf8')).toBe('b');
      expect(readFileSync(join(m().principalDir('alice'), 'secret.txt'), 'utf8')).toBe('alice-secret-7731');
    });

    it("a code artifact acts in its own folder and graph, never its invoker's: an owner cannot make a victim's call read the victim's files", async () => {
      value(await invoke('bob', 'mcp_filesystem', 'write_file', { path: 'diary.txt', content: 'bob-diary-5512' }));
      value(await invoke('bob', 'mcp_memory', 'create_entities', { entities: [{ name: 'bank', entityType: 'secret', observations: ['pin 9931'] }] }));
      // Each call is caught, so every run but the last swallows the stop and goes on to the next call.
      write('harvest', `export function harvest() {
        const out = {};
        const calls = [['mcp_filesystem', 'read_text_file', { path: 'diary.txt' }], ['mcp_filesystem', 'list_allowed_directories', {}], ['mcp_memory', 'read_graph', {}], ['genesis_store', 'invoke', { id: 'mcp_filesystem', method: 'read_text_file', args: { path: 'diary.txt' } }]];
        calls.forEach(([id, tool, args], i) => { try { out[i] = JSON.stringify(invoke(id, tool, args).content); } catch (e) { out[i] = 'refused: ' + e.message; } });
        return out;
      }`, ['harvest'], 10);
      const before = w.calls;
      const got = value(await invoke('bob', 'harvest', 'harvest', {}));
      expect(JSON.stringify(got)).not.toContain('bob-diary-5512');
      expect(JSON.stringify(got)).not.toContain('9931');
      expect(got[1]).toContain(m().principalDir('harvest'));
      expect(got[1]).not.toContain(m().principalDir('bob'));
      // The swallowed stops cost no extra calls: each of the four was made once, in order; the two answered are paid.
      expect(w.calls - before).toBe(4);
      expect(feesBurnedBy(w.t, 'harvest')).toBe(2);
    });
  });

  describe('money: a bridge call that was made is paid, whatever its command does next', () => {
    it('a command that fails after the call (leaking the result in its error and logs) still pays for it', async () => {
      write('leaky', `export function leak() { const r = invoke('mcp_everything', 'echo', { message: 'free?' }); console.log(JSON.stringify(r.content)); throw new Error('LEAK ' + JSON.stringify(r.content)); }`, ['leak'], 5);
      const r = await invoke('mallory', 'leaky', 'leak', {});
      expect(!r.ok && r.error.code).toBe('EXECUTION_ERROR');
      expect(!r.ok && r.error.message).toContain('free?');
      expect(scrip(w.t, 'leaky')).toBe(4);
      expect(feesBurnedBy(w.t, 'leaky')).toBe(1);
    });

    it('a nested call that leaks its result in an error its caller catches still pays (its savepoint rolled back)', async () => {
      write('inner', `export function grab() { const r = invoke('mcp_everything', 'echo', { message: 'nested' }); throw new Error(JSON.stringify(r.content)); }`, ['grab'], 5);
      write('outer', `export function run() { try { invoke('inner', 'grab', {}); } catch (e) { return 'caught ' + e.message; } }`, ['run']);
      expect(value(await invoke('mallory', 'outer', 'run', {}))).toContain('nested');
      expect(scrip(w.t, 'inner')).toBe(4);
    });

    it('a run that takes another path than the run before it still pays for the call that run made (state changed between runs)', async () => {
      // The path could as well turn on Math.random or Date.now: both differ between runs of a command.
      w.t.ok('mallory', 'genesis_store', 'write', { id: 'flag', content: 'call' });
      write('fickle', `export function go() { const f = invoke('genesis_store', 'read', { id: 'flag' }).content; if (f === 'call') invoke('mcp_everything', 'get-sum', { a: 1, b: 2 }); return f; }`, ['go'], 5);
      w.onCall = () => void w.t.world.invoke('mallory', 'genesis_store', 'write', { id: 'flag', content: 'skip' });
      try {
        const r = await invoke('mallory', 'fickle', 'go', {});
        expect(value(r)).toBe('skip');
        expect(outsideOf(w.t, r.command_id)).toMatchObject([{ artifact: 'mcp_everything', tool: 'get-sum', caller: 'fickle', fee: 1 }]);
      } finally {
        w.onCall = null;
      }
      expect(scrip(w.t, 'fickle')).toBe(4);
    });

    it('a re-run asking for another call than the record holds is never answered with it', async () => {
      w.t.ok('mallory', 'genesis_store', 'write', { id: 'which', content: '1' });
      write('switch', `export function go() { const a = Number(invoke('genesis_store', 'read', { id: 'which' }).content); return invoke('mcp_everything', 'get-sum', { a, b: 0 }).content; }`, ['go'], 5);
      w.onCall = () => void w.t.world.invoke('mallory', 'genesis_store', 'write', { id: 'which', content: '2' });
      try {
        const r = await invoke('mallory', 'switch', 'go', {});
        expect(!r.ok && r.error.code).toBe('EXECUTION_ERROR');
        expect(!r.ok && r.error.message).toMatch(/changed between runs/);
      } finally {
        w.onCall = null;
      }
      expect(feesBurnedBy(w.t, 'switch')).toBe(1);
    });

    it('a bridge fee is paid from what the caller holds, never from scrip a failing command could take back', async () => {
      write('relay', `export function go() { return invoke('mcp_everything', 'echo', { message: 'paid by pay' }); }`, ['go']);
      const before = { calls: w.calls, mallory: scrip(w.t, 'mallory') };
      const r = await invoke('mallory', 'relay', 'go', {}, { pay: 1 });
      expect(!r.ok && r.error.code).toBe('INSUFFICIENT_FUNDS');
      expect(w.calls).toBe(before.calls);
      expect(scrip(w.t, 'mallory')).toBe(before.mallory);
    });

    it('max_bridge_calls caps the calls one command makes; each made is paid once', async () => {
      write('greedy', `export function go() { for (let i = 0; i < 10; i++) invoke('mcp_everything', 'get-sum', { a: i, b: 0 }); }`, ['go'], 20);
      const before = w.calls;
      const r = await invoke('mallory', 'greedy', 'go', {});
      expect(!r.ok && r.error.code).toBe('LIMIT_EXCEEDED');
      expect(w.calls - before).toBe(8);
      expect(feesBurnedBy(w.t, 'greedy')).toBe(8);
    });

    it("a command's earlier runs are charged once, never compounded; a recorded call's CPU is charged even if no run reaches it", () => {
      const k = w.t.world.kernel;
      for (const p of ['cpu1', 'cpu2']) expect(w.t.world.createPrincipal(p).ok).toBe(true);
      w.t.ok('cpu1', 'genesis_store', 'write', { ...codeArtifact('one', `export function go() { return invoke('mcp_everything', 'get-sum', { a: 1, b: 1 }); }`, [{ name: 'go' }]), has_standing: true });
      w.t.ok('cpu1', 'genesis_ledger', 'transfer', { to: 'one', amount: 5 });
      // A run that stops at a bridge call carries on only its own CPU, not what earlier runs carried to it
      // (they were carried once already: adding them again doubled the charge with every bridge call).
      const stop = (() => {
        try {
          k.invoke('cpu1', 'genesis_store', 'invoke', { id: 'one', method: 'go', args: {} }, { outside: { record: [], carriedCpuMs: 5_000 } });
        } catch (err) {
          return err;
        }
      })();
      expect(stop).toBeInstanceOf(BridgeCallNeeded);
      expect((stop as BridgeCallNeeded).burnedMs).toBeLessThan(5_000);
      // A call the record holds was made: its upstream CPU is charged though this run never reaches it.
      const rec: OutsideRecord = { artifact: 'mcp_everything', tool: 'get-sum', caller: 'cpu2', args_hash: 'x', fee: 0, content: [], cpu_ms: 7_000, ms: 1 };
      const before = cpuLeft(w.t, 'cpu2');
      expect(k.invoke('cpu2', 'genesis_ledger', 'balance', {}, { outside: { record: [rec], carriedCpuMs: 0 } }).ok).toBe(true);
      expect(before - cpuLeft(w.t, 'cpu2')).toBeGreaterThanOrEqual(7_000);
    });

    it('CPU earlier runs burned counts against the window before the next run gets a budget', () => {
      expect(w.t.world.createPrincipal('cpu3', { cpu_ms: 1_000 }).ok).toBe(true);
      w.t.ok('cpu3', 'genesis_store', 'write', { ...codeArtifact('spin3', `export function go() { let x = 0; for (let i = 0; i < 1e5; i++) x += i; return x; }`, [{ name: 'go' }]) });
      const r = w.t.world.kernel.invoke('cpu3', 'genesis_store', 'invoke', { id: 'spin3', method: 'go', args: {} }, { outside: { record: [], carriedCpuMs: 5_000 } });
      expect(!r.ok && r.error.code).toBe('RATE_LIMITED');
    });
  });

  describe('SSRF: the fetch bridge and every upstream that fetches reach only public addresses', () => {
    let svc: Awaited<ReturnType<typeof internalService>>;
    beforeAll(async () => {
      svc = await internalService();
    });
    afterAll(() => new Promise<void>((r) => svc.server.close(() => r())));

    it('every spelling of a loopback, private or metadata address, and every other scheme, is refused before the call', async () => {
      const p = svc.port;
      const urls = [
        `http://127.0.0.1:${p}/`, `http://127.1:${p}/`, `http://0177.0.0.1:${p}/`, `http://0x7f.0.0.1:${p}/`, `http://2130706433:${p}/`, `http://0:${p}/`,
        `http://[::1]:${p}/`, `http://[::ffff:127.0.0.1]:${p}/`, `http://[::ffff:7f00:1]:${p}/`, `http://[::127.0.0.1]:${p}/`, `http://[0:0:0:0:0:ffff:127.0.0.1]:${p}/`,
        `http://[64:ff9b::7f00:1]:${p}/`, `http://[2002:7f00:1::]:${p}/`, `http://localhost:${p}/`, `http://LOCALHOST.:${p}/`, `http://a.localhost:${p}/`,
        `http://127\u30020\u30020\u30021:${p}/`, `http://user:pw@127.0.0.1:${p}/`, 'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/latest/meta-data/',
        'http://100.100.100.200/latest/meta-data/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://10.0.0.1/', 'http://192.168.0.1/', 'http://172.16.0.1/',
        'http://224.0.0.1/', 'http://255.255.255.255/', 'file:///etc/passwd', `ftp://127.0.0.1:${p}/`, 'gopher://127.0.0.1:25/', 'data:text/plain,hi', 'javascript:alert(1)',
      ];
      const before = w.calls;
      for (const url of urls) {
        const r = await invoke('mallory', 'mcp_fetch', 'fetch_txt', { url });
        expect(!r.ok && r.error.code, url).toBe('ACCESS_DENIED');
      }
      for (const tool of ['fetch_html', 'fetch_markdown', 'fetch_json', 'fetch_readable', 'fetch_youtube_transcript']) {
        const r = await invoke('mallory', 'mcp_fetch', tool, { url: `http://[::ffff:127.0.0.1]:${p}/` });
        expect(!r.ok && r.error.code, tool).toBe('ACCESS_DENIED');
      }
      expect(w.calls).toBe(before);
      expect(svc.hits).toEqual([]);
    });

    it("the reference server's own fetch (gzip-file-as-resource) cannot reach the host's services", async () => {
      const url = `http://127.0.0.1:${svc.port}/latest/meta-data`;
      const r = await invoke('mallory', 'mcp_everything', 'gzip-file-as-resource', { name: 'x.gz', data: url, outputType: 'resource' });
      expect(r.ok).toBe(false);
      // Past the door (which happens to refuse the tool's schema today), the guard in its process refuses it.
      const direct = await m().call('mcp_everything', 'mallory', 'gzip-file-as-resource', { name: 'x.gz', data: url, outputType: 'resource' }, START);
      expect(direct.result.isError).toBe(true);
      expect(JSON.stringify(direct.result.content)).toContain('is a loopback address');
      expect(svc.hits).toEqual([]);
    });

    it('DNS rebinding: a name that resolves to a public address for the checks and to loopback for the connection is refused at the connection', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rebind-'));
      // A rebinding DNS server, played in the upstream's process: rebind.test is public for the first two
      // lookups (the upstream's own check and the world's guard) and loopback from then on.
      const stub = join(dir, 'rebinding-dns.mjs');
      writeFileSync(stub, `import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
let n = 0;
const answer = () => (n++ < 2 ? '93.184.216.34' : '127.0.0.1');
const lookup = dns.lookup, plookup = dns.promises.lookup;
dns.lookup = (host, opts, cb) => {
  if (typeof opts === 'function') { cb = opts; opts = {}; }
  if (host !== 'rebind.test') return lookup(host, opts, cb);
  const a = answer();
  return opts && opts.all ? cb(null, [{ address: a, family: 4 }]) : cb(null, a, 4);
};
dns.promises.lookup = async (host, opts) => {
  if (host !== 'rebind.test') return plookup(host, opts);
  const a = answer();
  return opts && opts.all ? [{ address: a, family: 4 }] : { address: a, family: 4 };
};
syncBuiltinESMExports();
`);
      const def = JSON.parse(readFileSync(join(BRIDGES, 'fetch.json'), 'utf8'));
      def.mcpServers.fetch.args = ['--import', stub, ...def.mcpServers.fetch.args];
      const defs = join(dir, 'defs');
      mkdirSync(defs);
      writeFileSync(join(defs, 'fetch.json'), JSON.stringify(def));
      const mgr = new BridgeManager(loadDefinitions(defs, {}), { filesRoot: join(dir, 'files'), maxInstances: 2, startTimeoutMs: START });
      try {
        const r = await mgr.call('mcp_fetch', 'mallory', 'fetch_txt', { url: `http://rebind.test:${svc.port}/latest/meta-data` }, START);
        expect(r.result.isError).toBe(true);
        expect(JSON.stringify(r.result.content)).not.toContain('internal-secret-4242');
        expect(svc.hits).toEqual([]);
      } finally {
        await mgr.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, START);

    it('a guarded upstream starts no other program that would fetch outside the guard (mcp-fetch-server runs yt-dlp where installed)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ytdlp-'));
      const marker = join(dir, 'ran');
      writeFileSync(join(dir, 'yt-dlp'), `#!/bin/sh\necho "$@" > '${marker}'\nexit 1\n`);
      chmodSync(join(dir, 'yt-dlp'), 0o755);
      const path = process.env.PATH;
      process.env.PATH = `${dir}:${path}`;
      const mgr = new BridgeManager(loadDefinitions(BRIDGES, {}), { filesRoot: join(dir, 'files'), maxInstances: 2, startTimeoutMs: START });
      try {
        await mgr.tools('mcp_fetch');
        process.env.PATH = path;
        await mgr.call('mcp_fetch', 'mallory', 'fetch_youtube_transcript', { url: 'http://93.184.216.34/watch?v=x' }, 3_000).catch(() => undefined);
        expect(existsSync(marker)).toBe(false);
      } finally {
        process.env.PATH = path;
        await mgr.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, START);
  });

  describe('leaks: what others can learn', () => {
    it("the public log says who called which bridge tool, never with what or what came back; lifecycle events name no principal", async () => {
      value(await invoke('alice', 'mcp_filesystem', 'write_file', { path: 'q3-plans.txt', content: 'alice-plan-8080' }));
      value(await invoke('alice', 'mcp_memory', 'create_entities', { entities: [{ name: 'alice-contact-3131', entityType: 'person', observations: ['x'] }] }));
      value(await invoke('alice', 'mcp_everything', 'echo', { message: 'alice-echo-6060' }));
      const events: { type: string; payload: Record<string, unknown> }[] = [];
      for (let cursor = 0, more = true; more; ) {
        const page = w.t.ok('mallory', 'genesis_event_log', 'read', { cursor, types: ['bridge_call', 'bridge_lifecycle', 'invoke_success', 'invoke_failure'] });
        events.push(...page.events);
        cursor = page.next_cursor;
        more = page.has_more;
      }
      const text = JSON.stringify(events);
      for (const secret of ['alice-plan-8080', 'q3-plans', 'alice-contact-3131', 'alice-echo-6060', m().principalDir('alice')]) expect(text).not.toContain(secret);
      for (const e of events.filter((x) => x.type === 'bridge_call')) expect(Object.keys(e.payload).sort()).toEqual(['caller', 'cpu_ms', 'duration_ms', 'outcome', 'tool']);
      const life = events.filter((x) => x.type === 'bridge_lifecycle');
      expect(life.length).toBeGreaterThan(0);
      for (const e of life) {
        expect(['shared', 'per-principal']).toContain(e.payload.instance);
        expect(JSON.stringify(e.payload)).not.toMatch(/alice|bob|mallory|harvest/);
      }
    });

    it("the world's environment never reaches an upstream: get-env shows only what a definition names and the SDK's safe variables", async () => {
      process.env.WORLD_SECRET_RT = 'world-secret-9191';
      try {
        // A fresh shared instance, started while the secret is in the world's environment.
        const pid = m().running().find((r) => r.server === 'everything')?.pid;
        if (pid) process.kill(pid, 'SIGKILL');
        await expect.poll(() => m().running().some((r) => r.server === 'everything')).toBe(false);
        let r = await invoke('mallory', 'mcp_everything', 'get-env', {});
        for (let i = 0; i < 20 && !r.ok; i++) {
          await new Promise((res) => setTimeout(res, 500));
          r = await invoke('mallory', 'mcp_everything', 'get-env', {});
        }
        const env = JSON.parse(value(r).content[0].text);
        expect(JSON.stringify(env)).not.toContain('world-secret-9191');
        expect(Object.keys(env).filter((k) => !['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'].includes(k))).toEqual([]);
      } finally {
        delete process.env.WORLD_SECRET_RT;
      }
    }, START);
  });
});

describe('red team: bridges stalling the world or one another', () => {
  // The shipped definitions, with a short time limit on the long operation and small folders.
  const folder = mkdtempSync(join(tmpdir(), 'redteam-bridges-'));
  const copy = (name: string, ecology: Record<string, unknown>) => {
    const def = JSON.parse(readFileSync(join(BRIDGES, name), 'utf8'));
    def.ecology = { ...def.ecology, ...ecology };
    writeFileSync(join(folder, name), JSON.stringify(def));
  };
  copy('everything.json', { tool_timeouts_ms: { 'trigger-long-running-operation': 1_000 } });
  copy('filesystem.json', { max_folder_bytes: 64 * 1024 });
  copy('memory.json', { max_folder_bytes: 64 * 1024 });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const w = bridgedWorld({ principals: ['bob', 'mallory'], config: { bridges: { folder, max_processes: 3 } } as ConfigInput });
  const invoke = (as: string, id: string, method: string, args: Record<string, unknown>) => w.t.world.submit(as, 'genesis_store', 'invoke', { id, method, args });
  const m = () => w.t.world.bridges!;

  it("work an upstream goes on with after its call timed out does not live on: the instance is retired and a fresh one answers", async () => {
    value(await invoke('mallory', 'mcp_everything', 'echo', { message: 'warm' }));
    const pid = m().running().find((r) => r.server === 'everything')!.pid!;
    // Steps of a millisecond for an hour: the server would keep its timers spinning long after the call is cut off.
    const r = await invoke('mallory', 'mcp_everything', 'trigger-long-running-operation', { duration: 3_600, steps: 3_600_000 });
    expect(!r.ok && r.error.code).toBe('TIMEOUT');
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    value(await invoke('bob', 'mcp_everything', 'echo', { message: 'still here' }));
    expect(m().running().find((x) => x.server === 'everything')!.pid).not.toBe(pid);
  }, START);

  it("starting a principal's own upstream is charged to the call that started it", async () => {
    expect(w.t.world.createPrincipal('fresh').ok).toBe(true);
    const r = await invoke('fresh', 'mcp_memory', 'read_graph', {});
    value(r);
    const pid = m().running().find((x) => x.server === 'memory' && x.instance === 'fresh')!.pid!;
    const used = processTreeCpuMs(pid)!;
    expect(used).toBeGreaterThan(0);
    expect(outsideOf(w.t, r.command_id)[0]!.cpu_ms).toBeGreaterThanOrEqual(used / 2);
  }, START);

  it("cycling through many callers' instances (code artifacts) never refuses a bystander, stays under max_processes, and is paid by whoever cycles", async () => {
    const ids = ['t1', 't2', 't3', 't4', 't5'];
    for (const id of ids) {
      w.t.ok('mallory', 'genesis_store', 'write', { ...codeArtifact(id, `export function go() { return invoke('mcp_memory', 'read_graph', {}); }`, [{ name: 'go' }]), has_standing: true });
      w.t.ok('mallory', 'genesis_ledger', 'transfer', { to: id, amount: 2 });
    }
    w.t.ok('mallory', 'genesis_store', 'write', codeArtifact('cycler', `export function go() { for (const id of ${JSON.stringify(ids)}) invoke(id, 'go', {}); return 'cycled'; }`, [{ name: 'go' }]));
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, m().running().length)), 5);
    try {
      const cycling = invoke('mallory', 'cycler', 'go', {});
      for (let i = 0; i < 5; i++) value(await invoke('bob', 'mcp_memory', 'read_graph', {}));
      const r = await cycling;
      expect(value(r)).toBe('cycled');
      expect(outsideOf(w.t, r.command_id).reduce((s, x) => s + x.cpu_ms, 0)).toBeGreaterThan(0);
    } finally {
      clearInterval(watch);
    }
    expect(most).toBeLessThanOrEqual(3);
  }, START);

  it("a principal's folder holds only so much: a call that could take it past the cap is refused before the upstream, and writing less makes room", async () => {
    const before = w.calls;
    const chunk = 'x'.repeat(11 * 1024);
    let refused: InvokeResult | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const r = await invoke('mallory', 'mcp_filesystem', 'write_file', { path: `f${i}.txt`, content: chunk });
      if (!r.ok) refused = r;
    }
    expect(refused && !refused.ok && refused.error.code).toBe('LIMIT_EXCEEDED');
    const made = w.calls - before;
    expect(made).toBeLessThan(10);
    // The graph shares the folder, so it is refused too; a small call still goes through, and makes room.
    const graph = await invoke('mallory', 'mcp_memory', 'create_entities', { entities: [{ name: 'n', entityType: 't', observations: [chunk] }] });
    expect(!graph.ok && graph.error.code).toBe('LIMIT_EXCEEDED');
    value(await invoke('mallory', 'mcp_filesystem', 'write_file', { path: 'f0.txt', content: '' }));
    value(await invoke('mallory', 'mcp_filesystem', 'write_file', { path: 'again.txt', content: chunk }));
    // Full to the brim, the folder still answers small calls (a look, a file written again with less).
    value(await invoke('mallory', 'mcp_memory', 'read_graph', {}));
    value(await invoke('mallory', 'mcp_filesystem', 'list_directory', { path: '.' }));
    // The shipped definitions cap every principal's folder.
    for (const d of loadDefinitions(BRIDGES, {}).filter((x) => x.settings.isolation === 'principal')) expect(d.settings.max_folder_bytes, d.name).toBe(16 * 1024 * 1024);
  }, START);

  it("a principal's own upstream has a bounded heap, so a memory bomb (sequential-thinking keeps every thought, at no fee) takes down only that upstream", async () => {
    value(await invoke('mallory', 'mcp_memory', 'read_graph', {}));
    const pid = m().running().find((x) => x.server === 'memory' && x.instance === 'mallory')!.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=128');
    for (const d of loadDefinitions(BRIDGES, {}).filter((x) => x.settings.isolation === 'principal')) {
      // Node's flag on its command line, or (for a server npx starts) in NODE_OPTIONS, which npx passes on.
      const bounded = d.transport.kind === 'stdio' && (d.transport.args.some((a) => a.startsWith('--max-old-space-size=')) || /--max-old-space-size=\d+/.test(d.transport.env.NODE_OPTIONS ?? ''));
      expect(bounded, d.name).toBe(true);
    }
  }, START);

  it('huge arguments are refused by the door before any upstream call', async () => {
    const before = w.calls;
    const r = await invoke('mallory', 'mcp_everything', 'echo', { message: 'x'.repeat(70 * 1024) });
    expect(!r.ok && r.error.code).toBe('INVALID_ARGS');
    expect(w.calls).toBe(before);
  });
});
