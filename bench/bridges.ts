/**
 * Issue 12: bridges.
 * 1. A bridge call's overhead: `artifact_invoke` through the world (queue, door, the checking first attempt,
 *    the call outside, the answered re-run, the fee) against calling the same upstream directly with the SDK
 *    client, sequentially. Target ≤ 1.3x. Twice: server-everything's echo (the upstream does nothing, so
 *    this is the world's whole cost), and server-filesystem reading a 48 KiB file (a big result, kept in the command's record), and a 10 ms operation (a call that waits,
 *    as fetches and searches do). The
 *    world's floor is printed beside them: a recorded command that burns a fee and writes an event.
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
import { join } from 'node:path';

const CALLS = arg('bridge-calls', 300);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

/** Mean ms of `CALLS` sequential calls, after 20 to warm up. */
async function timed(call: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await call(-1);
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) await call(i);
  return (performance.now() - t) / CALLS;
}

/** The same upstream called directly with the SDK client (`dir` fills `${principal_dir}`). */
async function direct(server: string, tool: string, args: (i: number) => Record<string, unknown>, dir = ''): Promise<number> {
  const def = loadDefinitions(defaultBridgesFolder(), {}).find((d) => d.name === server)!;
  if (def.transport.kind !== 'stdio') throw new Error(`${server} is a stdio server`);
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: def.transport.command, args: def.transport.args.map((a) => a.replaceAll('${principal_dir}', dir)), stderr: 'ignore' }));
  try {
    return await timed(async (i) => {
      const r = await client.callTool({ name: tool, arguments: args(i) });
      if (r.isError) throw new Error(JSON.stringify(r.content));
    });
  } finally {
    await client.close();
  }
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
    const invoke = async (as: string, id: string, method: string, args: Record<string, unknown>) => {
      const r = await world.submit(as, 'genesis_store', 'invoke', { id, method, args });
      if (!r.ok) throw new Error(r.error.message);
      return r;
    };
    const call = (as: string, method: string, args: Record<string, unknown>) => world.submit(as, 'genesis_store', 'invoke', { id: 'mcp_everything', method, args });
    const echo = (i: number) => ({ message: `m${i}` });
    const viaWorld = await timed((i) => invoke('alice', 'mcp_everything', 'echo', echo(i)));
    const sdk = await direct('everything', 'echo', echo);
    console.log(`bridge call, server-everything echo (${CALLS} sequential): through the world ${viaWorld.toFixed(2)} ms, SDK client directly ${sdk.toFixed(2)} ms: ${(viaWorld / sdk).toFixed(2)}x (target ≤ 1.3x)`);

    await invoke('alice', 'mcp_filesystem', 'write_file', { path: 'page.txt', content: 'x'.repeat(48 * 1024) });
    const read = () => ({ path: 'page.txt' });
    const fsWorld = await timed(() => invoke('alice', 'mcp_filesystem', 'read_text_file', read()));
    const fsSdk = await direct('filesystem', 'read_text_file', () => ({ path: join(world.bridges!.principalDir('alice'), 'page.txt') }), world.bridges!.principalDir('alice'));
    console.log(`bridge call, server-filesystem read of 48 KiB: through the world ${fsWorld.toFixed(2)} ms, SDK client directly ${fsSdk.toFixed(2)} ms: ${(fsWorld / fsSdk).toFixed(2)}x (target ≤ 1.3x)`);

    const slow = () => ({ duration: 0.01, steps: 1 });
    const slowWorld = await timed(() => invoke('alice', 'mcp_everything', 'trigger-long-running-operation', slow()));
    const slowSdk = await direct('everything', 'trigger-long-running-operation', slow);
    console.log(`bridge call, server-everything 10 ms operation: through the world ${slowWorld.toFixed(2)} ms, SDK client directly ${slowSdk.toFixed(2)} ms: ${(slowWorld / slowSdk).toFixed(2)}x (target ≤ 1.3x)`);

    // The floor: a command recorded with a fee burned and an event, no upstream (a ledger transfer to the burn is the nearest).
    const floor = await timed(() => invoke('alice', 'genesis_ledger', 'transfer', { to: 'bystander', amount: 1 }));
    console.log(`the world's own cost per bridge call ${(viaWorld - sdk).toFixed(2)} ms (over the echo); a recorded ledger transfer through the same queue ${floor.toFixed(2)} ms`);

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
