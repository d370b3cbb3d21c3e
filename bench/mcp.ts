/**
 * MCP benchmarks: world tools (ledger_transfer, ledger_balance) against a trivial echo tool on the same
 * SDK and transport, measured in the same run, in-process, over stdio and over Streamable HTTP, with one
 * client and with 16 concurrent clients. Reported as world calls/s divided by echo calls/s.
 *
 *   npm run bench -- --seconds 2
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { World } from '../src/world.ts';
import { DEFAULT_SESSION_LIMITS, HybridHandler } from '../src/mcp/hybrid.ts';
import { connectInProcess } from '../src/mcp/inprocess.ts';
import { startHttp, worldHandler } from '../src/mcp/http.ts';
import { echoServer } from './echo.ts';
import { arg } from './args.ts';

const SECONDS = arg('seconds', 2);
const CONCURRENCY = arg('concurrency', 16);
const BIN = new URL('../bin/ecology.mjs', import.meta.url).pathname;
const ECHO_STDIO = new URL('./echo-stdio.ts', import.meta.url).pathname;
const STUB_STDIO = new URL('./world-stub-stdio.ts', import.meta.url).pathname;
const FLOOR_STDIO = new URL('./floor-stdio.ts', import.meta.url).pathname;
const modern = { versionNegotiation: { mode: 'auto' as const } };

type Call = (c: Client) => Promise<void>;

/** Calls per second from `clients` looping concurrently for SECONDS (after a short warm-up). */
async function throughput(clients: Client[], call: Call): Promise<number> {
  for (const c of clients) for (let i = 0; i < 20; i++) await call(c);
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        await call(c);
        n++;
      }
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

const echo: Call = async (c) => {
  const r = await c.callTool({ name: 'echo', arguments: { text: 'hi' } });
  if (r.isError) throw new Error('echo failed');
};
const transfer: Call = async (c) => {
  const r = await c.callTool({ name: 'ledger_transfer', arguments: { to: 'bob', amount: 1 } });
  if (r.isError) throw new Error(`transfer failed: ${JSON.stringify(r.structuredContent)}`);
};
const balance: Call = async (c) => {
  const r = await c.callTool({ name: 'ledger_balance', arguments: {} });
  if (r.isError) throw new Error('balance failed');
};

interface Transport {
  name: string;
  world: (n: number) => Promise<Client[]>;
  echo: (n: number) => Promise<Client[]>;
  close: () => Promise<void>;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-mcp-bench-'));
  const db = join(dir, 'world.db');
  const world = await World.open({ path: db, config: { principal_defaults: { scrip: 1_000_000_000, calls: 100_000_000, cpu_ms: 100_000_000 } } });
  for (const p of ['alice', 'bob']) if (!world.createPrincipal(p).ok) throw new Error(`cannot create ${p}`);
  const tokenResult = world.invoke(world.operator, 'genesis_world', 'create_token', { principal: 'alice' });
  if (!tokenResult.ok) throw new Error(tokenResult.error.message);
  const token = (tokenResult.value as { token: string }).token;

  const inHandler = worldHandler(world);
  const echoHandler = new HybridHandler(() => echoServer(), { ...DEFAULT_SESSION_LIMITS, principalOf: () => null, onerror: () => {} });
  const worldHttp = await startHttp(world, { port: 0, host: '127.0.0.1' });
  const echoHttp = await startHttp(null, { port: 0, host: '127.0.0.1', fixtures: () => () => echoServer() });
  const open: Client[] = [];
  const track = async (c: Promise<Client>) => {
    const client = await c;
    open.push(client);
    return client;
  };
  const many = (n: number, make: () => Promise<Client>) => Promise.all(Array.from({ length: n }, () => track(make())));
  const httpClient = (url: string, headers: Record<string, string>) => async () => {
    const c = new Client({ name: 'bench', version: '1' }, modern);
    await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    return c;
  };
  const stdioClient = (args: string[]) => async () => {
    const c = new Client({ name: 'bench', version: '1' }, modern);
    await c.connect(new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore', env: { ...(process.env as Record<string, string>) } }));
    return c;
  };

  const transports: Transport[] = [
    {
      name: 'in-process',
      world: (n) => many(n, () => connectInProcess(inHandler, 'alice')),
      echo: (n) =>
        many(n, async () => {
          const c = new Client({ name: 'bench', version: '1' }, modern);
          await c.connect(new StreamableHTTPClientTransport(new URL('http://in-process/mcp'), { fetch: (u, i) => echoHandler.fetch(new Request(u, i)) }));
          return c;
        }),
      close: async () => {
        await inHandler.close();
        await echoHandler.close();
      },
    },
    {
      name: 'stdio',
      world: (n) => many(n, stdioClient([BIN, 'stdio', '--as', 'alice', '--db', db])),
      echo: (n) => many(n, stdioClient(['--import', 'tsx', ECHO_STDIO])),
      close: async () => {},
    },
    {
      name: 'http',
      world: (n) => many(n, httpClient(worldHttp.url, { Authorization: `Bearer ${token}` })),
      echo: (n) => many(n, httpClient(echoHttp.url, {})),
      close: async () => {
        await worldHttp.close();
        await echoHttp.close();
      },
    },
  ];

  const rows: string[] = [];
  for (const t of transports) {
    for (const n of [1, CONCURRENCY]) {
      const echoClients = await t.echo(n);
      const worldClients = await t.world(n);
      // Interleave echo and world so drift in machine load hits both.
      const e1 = await throughput(echoClients, echo);
      const tr = await throughput(worldClients, transfer);
      const e2 = await throughput(echoClients, echo);
      const ba = await throughput(worldClients, balance);
      const e = (e1 + e2) / 2;
      rows.push(`| ${t.name} | ${n} | ${e.toFixed(0)} | ${tr.toFixed(0)} | ${(tr / e).toFixed(2)} | ${ba.toFixed(0)} | ${(ba / e).toFixed(2)} |`);
      for (const c of [...echoClients, ...worldClients]) await c.close();
    }
    await t.close();
  }
  // Diagnostics over stdio, one client, each against echo measured around it: the world's server with
  // its kernel answers replayed from memory (the MCP layer alone), and echo committing a transfer's
  // required rows first (the storage floor: the most a kernel on this design could reach).
  const [echoClient] = await many(1, stdioClient(['--import', 'tsx', ECHO_STDIO]));
  const againstEcho = async (c: Client, call: Call) => {
    const e1 = await throughput([echoClient!], echo);
    const x = await throughput([c], call);
    const e2 = await throughput([echoClient!], echo);
    await c.close();
    return x / ((e1 + e2) / 2);
  };
  const [stubClient] = await many(1, stdioClient(['--import', 'tsx', STUB_STDIO, db, 'alice']));
  const mcpLayer = await againstEcho(stubClient!, transfer);
  const [floorClient] = await many(1, stdioClient(['--import', 'tsx', FLOOR_STDIO, join(dir, 'floor.db')]));
  const floorCeiling = await againstEcho(floorClient!, echo);
  await echoClient!.close();

  const report = world.check();
  await world.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`\nagent-ecology MCP bench: ${SECONDS}s per measurement, modern (2026-07-28) clients, node ${process.version}\n`);
  console.log('| transport | clients | echo calls/s | ledger_transfer calls/s | transfer / echo | ledger_balance calls/s | balance / echo |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('\ntarget: world tool throughput >= 0.8x echo on each transport');
  console.log(`diagnostic: stdio, 1 client, ledger_transfer with the kernel's answer replayed from memory (the MCP layer alone) / echo: ${mcpLayer.toFixed(2)}`);
  console.log(`diagnostic: stdio, 1 client, echo that first commits a transfer's required rows (the storage floor: the ceiling for any kernel that keeps them) / echo: ${floorCeiling.toFixed(2)}`);
  if (!report.ok) {
    console.error('invariants violated after the bench:', report.violations);
    process.exitCode = 1;
  }
  void open;
}

export const mcpBench = main;
if (import.meta.url === `file://${process.argv[1]}`) await main();
