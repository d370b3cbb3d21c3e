import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { World } from '../../src/world.ts';
import { BURN_ACCOUNT } from '../../src/kernel/ledger.ts';
import type { RunningHttp } from '../../src/mcp/http.ts';
import { callError, callOk, httpClient, serveWorld, tokenFor } from '../helpers/mcp.ts';
import { bridgeFolder } from '../helpers/bridges.ts';
import { codeArtifact } from '../helpers/world.ts';

const PRICE = 5;
const SHOUTER = `export function shout({ text }) {
  const r = invoke('mcp_everything', 'echo', { message: text });
  return { loud: r.content[0].text.toUpperCase(), untrusted: r.untrusted };
}`;

/**
 * Bridges end to end, through the real MCP SDK client over the world's HTTP server: alice uses the filesystem
 * bridge; alice sells a code artifact wrapping server-everything; bob buys a call and the scrip moves exactly.
 */
describe('bridges end to end through the real MCP client', () => {
  let world: World;
  let http: RunningHttp;
  let folder: ReturnType<typeof bridgeFolder>;
  let alice: Client;
  let bob: Client;
  const scrip = (p: string) => world.kernel.services.ledger.balance(p, 'scrip');
  /** Scrip sent to the burn account (which holds nothing: a burn leaves the world), and scrip anyone holds. */
  const burned = () => world.store.one<{ n: number }>("SELECT COALESCE(SUM(amount), 0) AS n FROM journal WHERE asset = 'scrip' AND kind = 'burn' AND to_id = ?", BURN_ACCOUNT)!.n;
  const supply = () => world.store.one<{ n: number }>("SELECT COALESCE(SUM(balance), 0) AS n FROM accounts WHERE asset = 'scrip'")!.n;

  beforeAll(async () => {
    folder = bridgeFolder({}, ['filesystem', 'everything']);
    world = await World.open({ config: { bridges: { folder: folder.dir } } });
    for (const p of ['alice', 'bob']) expect(world.createPrincipal(p).ok).toBe(true);
    expect(await world.registerBridges()).toEqual({});
    http = await serveWorld(world);
    alice = await httpClient(http.url, tokenFor(world, 'alice'), 'modern');
    bob = await httpClient(http.url, tokenFor(world, 'bob'), 'legacy');
  }, 60_000);
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await http.close();
    const report = world.check();
    await world.close();
    folder.cleanup();
    expect(report.violations).toEqual([]);
  });

  it('alice writes a file through mcp_filesystem and reads it back; it lands in her own folder, bob cannot read it', async () => {
    const before = scrip('alice');
    const content = 'written by alice through a bridge';
    await callOk(alice, 'artifact_invoke', { id: 'mcp_filesystem', method: 'write_file', args: { path: 'hello.txt', content } });
    const read = await callOk(alice, 'artifact_invoke', { id: 'mcp_filesystem', method: 'read_text_file', args: { path: 'hello.txt' } });
    expect(read.result).toMatchObject({ untrusted: true, source: 'mcp_filesystem.read_text_file' });
    expect(read.result.content[0].text).toBe(content);
    expect(readFileSync(join(world.bridges!.principalDir('alice'), 'hello.txt'), 'utf8')).toBe(content);
    // Two calls at the bridge's fee of 1, burned.
    expect(scrip('alice')).toBe(before - 2);
    const other = await callError(bob, 'artifact_invoke', { id: 'mcp_filesystem', method: 'read_text_file', args: { path: 'hello.txt' } });
    expect(other.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(other.details)).not.toContain(content);
    expect(world.check().violations).toEqual([]);
  });

  it("bob buys a call of alice's wrapper of mcp_everything: he pays the price to alice and the bridge fee, which is burned", async () => {
    await callOk(alice, 'artifact_write', {
      ...codeArtifact('shouter', SHOUTER, [{ name: 'shout', price: PRICE, inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } }]),
      description: 'Shouts your text back, through the everything bridge',
      // The wrapper makes the bridge call itself, so it pays the fee: it needs an account of its own.
      has_standing: true,
    });
    const info = await callOk(bob, 'artifact_info', { id: 'mcp_everything' });
    const fee = info.interface.find((m: { name: string }) => m.name === 'echo').price as number;
    expect(fee).toBe(1);

    // The code artifact is the bridge's caller, so the fee is drawn from its account: without scrip there,
    // the call fails and nothing moves (bob pays no price for a failed call).
    const start = { alice: scrip('alice'), bob: scrip('bob'), shouter: scrip('shouter'), burned: burned(), supply: supply() };
    expect(start.shouter).toBe(0);
    const broke = await callError(bob, 'artifact_invoke', { id: 'shouter', method: 'shout', args: { text: 'hello' } });
    expect(broke.code).toBe('INSUFFICIENT_FUNDS');
    expect({ alice: scrip('alice'), bob: scrip('bob'), burned: burned(), supply: supply() }).toEqual({ alice: start.alice, bob: start.bob, burned: start.burned, supply: start.supply });

    // Scrip attached to the call (pay) does not count either: a bridge's fee is burned when the upstream
    // answers, before the command commits, so it must come from what the wrapper held before.
    const attached = await callError(bob, 'artifact_invoke', { id: 'shouter', method: 'shout', args: { text: 'hello' }, pay: fee, max_price: PRICE });
    expect(attached.code).toBe('INSUFFICIENT_FUNDS');
    expect(scrip('bob')).toBe(start.bob);

    // So alice funds her wrapper, and bob pays only its price.
    const FUND = 5;
    await callOk(alice, 'ledger_transfer', { to: 'shouter', amount: FUND });
    const res = await callOk(bob, 'artifact_invoke', { id: 'shouter', method: 'shout', args: { text: 'hello' }, max_price: PRICE });
    expect(res.result).toEqual({ loud: 'ECHO: HELLO', untrusted: true });
    expect(scrip('bob')).toBe(start.bob - PRICE);
    expect(scrip('alice')).toBe(start.alice - FUND + PRICE);
    expect(scrip('shouter')).toBe(FUND - fee);
    expect(burned()).toBe(start.burned + fee);
    expect(supply()).toBe(start.supply - fee);
    // The journal says the same: bob's command moved the price; the fee was burned from the wrapper when the call was made.
    const cmd = world.store.one<{ command_id: string }>("SELECT command_id FROM journal WHERE from_id = 'bob' AND to_id = 'alice' ORDER BY seq DESC LIMIT 1")!.command_id;
    expect(world.store.all("SELECT kind, from_id, to_id, amount FROM journal WHERE command_id = ? AND asset = 'scrip' ORDER BY seq", cmd)).toEqual([{ kind: 'transfer', from_id: 'bob', to_id: 'alice', amount: PRICE }]);
    expect(world.store.all("SELECT kind, from_id, amount FROM journal WHERE from_id = 'shouter' AND kind = 'burn' AND asset = 'scrip'")).toEqual([{ kind: 'burn', from_id: 'shouter', amount: fee }]);
    expect(world.check().violations).toEqual([]);
  });
});
