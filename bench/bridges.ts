/**
 * Issue 12: bridges.
 * 1. A bridge call's overhead: `artifact_invoke` of server-everything's echo through the world (queue, door,
 *    the stopped first attempt, the call outside, the answered re-run, the fee) against calling the same
 *    upstream directly with the SDK client, sequentially. Target ≤ 1.3x.
 * 2. World latency while 10 bridge calls wait on a slow upstream: a bystander's ledger_balance p50/p99 with
 *    and without 10 principals each waiting on a 3 s upstream call. Target: unchanged within noise.
 *
 *   npm run bench -- --only bridges [--bridge-calls 300]
 */
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { defaultBridgesFolder, loadDefinitions } from '../src/bridges/definition.ts';
import { World } from '../src/world.ts';
import { arg } from './args.ts';

const CALLS = arg('bridge-calls', 300);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

async function direct(): Promise<number> {
  const def = loadDefinitions(defaultBridgesFolder(), {}).find((d) => d.name === 'everything')!;
  if (def.transport.kind !== 'stdio') throw new Error('everything is a stdio server');
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: def.transport.command, args: def.transport.args, stderr: 'ignore' }));
  for (let i = 0; i < 20; i++) await client.callTool({ name: 'echo', arguments: { message: 'warm' } });
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
  const ms = (performance.now() - t) / CALLS;
  await client.close();
  return ms;
}

async function bystander(world: World, seconds: number): Promise<number[]> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    const r = await world.submit('bystander', 'genesis_ledger', 'balance', {});
    if (!r.ok) throw new Error(r.error.message);
    lat.push(performance.now() - t);
    await new Promise((res) => setTimeout(res, 5));
  }
  return lat;
}

export async function bridgesBench(): Promise<void> {
  console.log('\n== bridges (issue 12) ==');
  const world = await World.open({ config: { principal_defaults: { scrip: 1_000_000, calls: 10_000_000, cpu_ms: 10_000_000 } } });
  try {
    for (const p of ['alice', 'bystander', ...Array.from({ length: 10 }, (_, i) => `w${i}`)]) world.createPrincipal(p);
    await world.registerBridges();
    const call = (as: string, method: string, args: Record<string, unknown>) => world.submit(as, 'genesis_store', 'invoke', { id: 'mcp_everything', method, args });
    for (let i = 0; i < 20; i++) await call('alice', 'echo', { message: 'warm' });
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const r = await call('alice', 'echo', { message: `m${i}` });
      if (!r.ok) throw new Error(r.error.message);
    }
    const viaWorld = (performance.now() - t) / CALLS;
    const sdk = await direct();
    console.log(`bridge call (server-everything echo, ${CALLS} sequential): through the world ${viaWorld.toFixed(2)} ms, SDK client directly ${sdk.toFixed(2)} ms: ${(viaWorld / sdk).toFixed(2)}x (target ≤ 1.3x)`);

    const quiet = await bystander(world, 4);
    const waiting = Array.from({ length: 10 }, (_, i) => call(`w${i}`, 'trigger-long-running-operation', { duration: 3, steps: 3 }));
    await new Promise((r) => setTimeout(r, 200));
    const busy = await bystander(world, 2.5);
    const results = await Promise.all(waiting);
    const failed = results.filter((r) => !r.ok).length;
    console.log(
      `bystander ledger_balance p50/p99 ms: quiet ${pct(quiet, 0.5).toFixed(2)} / ${pct(quiet, 0.99).toFixed(2)} (${quiet.length} calls); while 10 bridge calls wait on a 3 s upstream ${pct(busy, 0.5).toFixed(2)} / ${pct(busy, 0.99).toFixed(2)} (${busy.length} calls; ${failed} of the 10 failed)`,
    );
  } finally {
    await world.close();
  }
}
