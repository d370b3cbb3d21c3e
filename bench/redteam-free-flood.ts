/**
 * Red team: requests that never reach the fair queue and are never charged (tools/list, prompts/get,
 * initialize, a bad token), sent by one principal over many concurrent connections. The fair queue
 * cannot put the bystander first, because this work is done by the HTTP stack and the SDK before any
 * command exists; the calls window never sees it.
 *
 *   node --import tsx bench/redteam-free-flood.ts [--only tools_list,prompt,initialize,bad_token,unauth_body] [--clients 64] [--trials 3] [--seconds 10]
 *
 * unauth_body needs no token at all: a 2 MB JSON body is parsed and walked before bearer auth.
 */
import { spawn } from 'node:child_process';
import { arg, bystander, cleanup, connect, hammer, list, prepare, report, serve, sleep, stats, tally, text, type TrialRow } from './redteam-lib.ts';

const TRIALS = arg('trials', 3);
const SECONDS = arg('seconds', 10);
const CLIENTS = arg('clients', 32);
const only = list('only', ['tools_list', 'prompt', 'initialize', 'bad_token', 'unauth_body']);

/** ~2 MB of JSON (under the 2 MiB limit): ~690k empty objects. */
const BODY_2MB = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":[${Array.from({ length: 690_000 }, () => '{}').join(',')}]}}`;

const argStr = (name: string) => text(name, '');

/** The attacker runs in its own process, so its client-side work does not slow the bystander's client. */
async function attacker(): Promise<void> {
  const url = argStr('url');
  const eveToken = argStr('token');
  const name = argStr('attack');
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(url, eveToken)));
  const raw = (token: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }).then(async (r) => {
      await r.arrayBuffer();
      return { isError: false };
    });
  const attacks: Record<string, (i: number) => () => Promise<any>> = {
    tools_list: (i) => () => clients[i]!.listTools(),
    prompt: (i) => () => clients[i]!.getPrompt({ name: 'handbook' }),
    // A 2025-era initialize: a whole McpServer and session built, then replaced (eve's 9th closes her oldest).
    initialize: () => () => raw(eveToken, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    bad_token: () => () => raw(`eco_${'x'.repeat(40)}`, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    // No token at all: the 2 MB body is parsed (and walked for depth) before bearer auth refuses it.
    unauth_body: () => () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: BODY_2MB }).then(async (r) => {
        await r.arrayBuffer();
        return { isError: r.status !== 401, structuredContent: r.status === 401 ? undefined : { error: { code: `HTTP ${r.status}` } } };
      }),
  };
  const stop = { done: false };
  const seen: Record<string, number> = {};
  process.stdin.once('data', () => (stop.done = true));
  const t0 = performance.now();
  const loops = Array.from({ length: CLIENTS }, (_, i) => hammer(stop, seen, attacks[name]!(i)));
  process.stdout.write('ready\n');
  await Promise.all(loops);
  const n = Object.values(seen).reduce((a, b) => a + b, 0);
  process.stdout.write(`${tally(seen)} (~${(n / ((performance.now() - t0) / 1000)).toFixed(0)}/s, none charged)\n`);
  process.exit(0);
}

function startAttacker(url: string, token: string, name: string): Promise<{ stop: () => Promise<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--role', 'attacker', '--url', url, '--token', token, '--attack', name, '--clients', String(CLIENTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    const check = setInterval(() => {
      if (!out.includes('ready')) return;
      clearInterval(check);
      resolve({
        stop: async () => {
          child.stdin!.write('stop\n');
          await new Promise((r) => child.once('exit', r));
          return out.replace('ready\n', '').trim();
        },
      });
    }, 20);
  });
}

async function main(): Promise<void> {
  const p = await prepare(['bystander', 'eve'], { principal_defaults: { calls: 1_000_000 } });
  const srv = await serve(p.db);
  try {
    const by = await connect(srv.url, p.tokens.get('bystander')!);
    const balance = () => by.callTool({ name: 'ledger_balance', arguments: {} });
    for (let i = 0; i < 50; i++) await balance();
    for (const name of only) {
      const rows: TrialRow[] = [];
      for (let t = 1; t <= TRIALS; t++) {
        const base = await bystander(balance, SECONDS / 2);
        const a = await startAttacker(srv.url, p.tokens.get('eve')!, name);
        await sleep(300);
        const att = await bystander(balance, SECONDS);
        const seen = await a.stop();
        rows.push({ trial: t, baseline: stats(base.latencies), attack: stats(att.latencies), note: `attacker: ${seen}; bystander errors ${att.errors}${att.sample ? ` (${att.sample})` : ''}` });
      }
      report(`${name}: one principal, ${CLIENTS} concurrent connections (separate process), bystander ledger_balance`, rows);
    }
    await by.close();
  } finally {
    await srv.stop();
    cleanup(p);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await (argStr('role') === 'attacker' ? attacker() : main());
