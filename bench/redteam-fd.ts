/**
 * Red team: file descriptors. The HTTP host caps no connections, and a POST whose headers are complete
 * but whose body trickles is kept until Node's requestTimeout (300 s). With no token at all, an attacker
 * opens connections until the host's descriptor limit (ulimit -n) is reached. Then: can a new client
 * connect; does a client already connected still get answers; and can the sandbox replace a killed
 * worker (a worker thread needs descriptors of its own)?
 *
 *   node --import tsx bench/redteam-fd.ts [--connections 21000] [--hold-seconds 40]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { arg, cleanup, connect, must, prepare, serve, sleep } from './redteam-lib.ts';

const CONNECTIONS = arg('connections', 21_000);
const HOLD_S = arg('hold-seconds', 40);
const PER_CHILD = 7_000;

/** A child process that opens `n` connections, each a POST with complete headers and a body that never comes. */
const CHILD = `
const net = require('node:net');
const [port, n] = process.argv.slice(1).map(Number);
let open = 0, failed = 0, done = 0;
const socks = [];
function one() {
  const s = net.connect(port, '127.0.0.1');
  s.on('connect', () => { open++; s.write('POST /mcp HTTP/1.1\\r\\nHost: 127.0.0.1:' + port + '\\r\\nContent-Type: application/json\\r\\nContent-Length: 1000000\\r\\n\\r\\n{'); next(); });
  s.on('error', () => { failed++; next(); });
  s.on('close', () => { open--; });
  socks.push(s);
}
function next() { if (++done < n) setImmediate(one); else report(); }
function report() { process.stdout.write(JSON.stringify({ open, failed }) + '\\n'); }
for (let i = 0; i < 64 && i < n; i++) one();
setInterval(report, 2000);
`;

const fds = (pid: number) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
};

async function main(): Promise<void> {
  const p = await prepare(['bystander', 'newcomer', 'author'], {}, (w) => {
    const iface = (name: string) => [{ name, description: name, inputSchema: { type: 'object' }, price: 0 }];
    must(w.invoke('author', 'genesis_store', 'write', { id: 'hog', can_execute: true, description: 'hog', code: "export function f(){ return new Array(3e7).join('x').length }", interface: iface('f') }), 'hog');
    must(w.invoke('author', 'genesis_store', 'write', { id: 'echo', can_execute: true, description: 'echo', code: 'export function f(a){ return a }', interface: iface('f') }), 'echo');
  }, { bystander: { calls: 1_000_000 }, author: { calls: 1_000_000 } });
  const srv = await serve(p.db);
  const port = Number(new URL(srv.url).port);
  const children: ChildProcess[] = [];
  const log = (s: string) => console.log(s);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const author = await connect(srv.url, p.tokens.get('author')!);
    const call = async (c: typeof by, name: string, args: Record<string, unknown>) => {
      const t0 = performance.now();
      try {
        const r = await Promise.race([c.callTool({ name, arguments: args }), sleep(10_000).then(() => null)]);
        if (r === null) return 'no answer in 10 s';
        const e = (r.structuredContent as { error?: { code: string; message: string } })?.error;
        return `${r.isError ? `${e?.code}: ${e?.message.slice(0, 80)}` : 'ok'} (${(performance.now() - t0).toFixed(0)} ms)`;
      } catch (err) {
        return `threw ${(err as Error).message.slice(0, 80)} (${(performance.now() - t0).toFixed(0)} ms)`;
      }
    };
    log(`server pid ${srv.proc.pid}: ${fds(srv.proc.pid!)} descriptors open before the attack`);
    log(`before: bystander balance ${await call(by, 'ledger_balance', {})}; echo ${await call(by, 'artifact_invoke', { id: 'echo', method: 'f', args: {} })}`);
    const reports: { open: number; failed: number }[] = [];
    for (let k = 0; k * PER_CHILD < CONNECTIONS; k++) {
      const n = Math.min(PER_CHILD, CONNECTIONS - k * PER_CHILD);
      const c = spawn(process.execPath, ['-e', CHILD, String(port), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(c);
      reports.push({ open: 0, failed: 0 });
      c.stdout!.on('data', (d: Buffer) => {
        const last = d.toString().trim().split('\n').at(-1)!;
        try {
          reports[k] = JSON.parse(last);
        } catch {}
      });
    }
    const t0 = performance.now();
    while (performance.now() - t0 < HOLD_S * 1000) {
      await sleep(5_000);
      const open = reports.reduce((a, r) => a + r.open, 0);
      log(`t=${((performance.now() - t0) / 1000).toFixed(0)}s attacker connections open ${open}, failed ${reports.reduce((a, r) => a + r.failed, 0)}; server descriptors ${fds(srv.proc.pid!)}; server ${srv.exited() ? 'DIED' : 'alive'}`);
      if (open >= CONNECTIONS * 0.9) break;
    }
    log(`\nwith the connections held:`);
    log(`  existing bystander connection: balance ${await call(by, 'ledger_balance', {})}`);
    let fresh = 'connected';
    const t1 = performance.now();
    try {
      const c = await Promise.race([connect(srv.url, p.tokens.get('newcomer')!), sleep(10_000).then(() => null)]);
      if (!c) fresh = 'no answer in 10 s';
      else {
        fresh = `connected (${(performance.now() - t1).toFixed(0)} ms), balance ${await call(c, 'ledger_balance', {})}`;
        await c.close();
      }
    } catch (err) {
      fresh = `FAILED: ${(err as Error).message.slice(0, 120)} (${(performance.now() - t1).toFixed(0)} ms)`;
    }
    log(`  a new client: ${fresh}`);
    log(`  a worker killed (native hog): ${await call(author, 'artifact_invoke', { id: 'hog', method: 'f', args: {} })}`);
    log(`  another kill: ${await call(author, 'artifact_invoke', { id: 'hog', method: 'f', args: {} })}`);
    for (let i = 0; i < 3; i++) {
      await sleep(1_000);
      log(`  then agent code (needs a new worker): ${await call(by, 'artifact_invoke', { id: 'echo', method: 'f', args: {} })}`);
    }
    log(`  server ${srv.exited() ? `DIED ${JSON.stringify(srv.exited())}` : 'alive'}; descriptors ${fds(srv.proc.pid!)}`);
    for (const c of children) c.kill('SIGKILL');
    await sleep(3_000);
    log(`\nafter the attacker left: descriptors ${fds(srv.proc.pid!)}; echo ${await call(by, 'artifact_invoke', { id: 'echo', method: 'f', args: {} })}; server ${srv.exited() ? 'DIED' : 'alive'}`);
    await Promise.all([by, author].map((c) => c.close().catch(() => {})));
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
