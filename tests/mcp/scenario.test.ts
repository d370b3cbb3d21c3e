import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/world.ts';
import { callError, callOk, ERAS, httpClient, serveWorld, stdioClient, tokenFor, type Era } from '../helpers/mcp.ts';
import { codeArtifact, numberSchema, tempDir } from '../helpers/world.ts';
import type { Client } from '@modelcontextprotocol/client';

const MULTIPLIER = `export function times({ x, y }, ctx) {
  console.log('serving', ctx.caller);
  return { product: x * y };
}`;

/**
 * The scenario, through the real SDK client: A writes a priced tool; B finds it, reads its
 * interface, invokes it and pays; A earns the price; B cannot act as A; the invariants hold.
 */
async function scenario(a: Client, b: Client, world: World): Promise<void> {
  const before = await callOk(a, 'ledger_balance', {});
  const payerBefore = await callOk(b, 'ledger_balance', {});
  await callOk(a, 'artifact_write', codeArtifact('multiplier', MULTIPLIER, [{ name: 'times', price: 7, inputSchema: numberSchema(['x', 'y']) }], { description: 'Multiplies two numbers' }));

  const found = await callOk(b, 'store_search', { query: 'multiplies', can_execute: true });
  expect(found.results.map((r: { id: string }) => r.id)).toEqual(['multiplier']);
  expect(found.results[0].methods).toEqual([{ name: 'times', price: 7 }]);
  const info = await callOk(b, 'artifact_info', { id: 'multiplier' });
  expect(info.interface[0].inputSchema.required).toEqual(['x', 'y']);
  expect(info.owner).toBe(before.principal);

  const res = await callOk(b, 'artifact_invoke', { id: 'multiplier', method: 'times', args: { x: 6, y: 7 } });
  expect(res.result).toEqual({ product: 42 });
  expect(res.logs).toEqual([`serving ${(await callOk(b, 'world_whoami')).principal}`]);

  const after = await callOk(a, 'ledger_balance', {});
  expect(after.balances.scrip).toBe(before.balances.scrip + 7);
  expect((await callOk(b, 'ledger_balance', {})).balances.scrip).toBe(payerBefore.balances.scrip - 7);

  // B cannot act as A: there is no argument that names the payer, and A's contract guards A's artifacts.
  const forged = await callError(b, 'ledger_transfer', { from: before.principal, to: 'nobody_real', amount: 1 });
  expect(forged.code).toBe('INVALID_ARGS');
  const overwrite = await callError(b, 'artifact_write', { id: 'multiplier', description: 'mine now' });
  expect(overwrite.code).toBe('ACCESS_DENIED');
  const steal = await callError(b, 'artifact_transfer', { id: 'multiplier', to: (await callOk(b, 'world_whoami')).principal });
  expect(steal.code).toBe('ACCESS_DENIED');
  expect((await callOk(a, 'ledger_balance', {})).balances.scrip).toBe(after.balances.scrip);
  expect(world.check().violations).toEqual([]);
}

describe('scenario through the real MCP client', () => {
  it.each(ERAS)('over Streamable HTTP (%s era)', async (era: Era) => {
    const world = await World.open({});
    try {
      for (const p of ['alice', 'bob']) expect(world.createPrincipal(p).ok).toBe(true);
      const http = await serveWorld(world);
      const a = await httpClient(http.url, tokenFor(world, 'alice'), era);
      const b = await httpClient(http.url, tokenFor(world, 'bob'), era);
      try {
        expect(a.getProtocolEra()).toBe(era);
        await scenario(a, b, world);
        // A token is bound to one principal: B's token never acts as A.
        expect((await callOk(b, 'world_whoami')).principal).toBe('bob');
      } finally {
        await a.close();
        await b.close();
        await http.close();
      }
    } finally {
      await world.close();
    }
  });

  it.each(ERAS)('over stdio, one process per principal (%s era)', async (era: Era) => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'world.db');
      const setup = await World.open({ path: db });
      for (const p of ['alice', 'bob']) expect(setup.createPrincipal(p).ok).toBe(true);
      await setup.close();
      const a = await stdioClient(db, 'alice', era);
      const b = await stdioClient(db, 'bob', era);
      const world = await World.open({ path: db });
      try {
        expect(b.getProtocolEra()).toBe(era);
        await scenario(a, b, world);
        expect((await callOk(b, 'world_whoami')).principal).toBe('bob');
      } finally {
        await a.close();
        await b.close();
        await world.close();
      }
    } finally {
      cleanup();
    }
  });
});
