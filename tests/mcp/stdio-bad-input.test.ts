import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/world.ts';
import { BIN } from '../helpers/mcp.ts';
import { stateOf, tempDir } from '../helpers/world.ts';

type Message = { id?: unknown; result?: Record<string, any>; error?: { code: number; message: string } };

/**
 * Regression: `ecology stdio` dropped a line that was not JSON without a word and answered a line that
 * was not JSON-RPC with nothing, so a client waiting on that request waited forever.
 */
describe('stdio: bad input gets a JSON-RPC error and the connection stays up', () => {
  it('answers parse errors, invalid requests and oversize or over-deep lines, then serves the next request', async () => {
    const { dir, cleanup } = tempDir();
    const db = join(dir, 'w.db');
    try {
      const world = await World.open({ path: db });
      world.createPrincipal('alice');
      world.createPrincipal('bob');
      const before = stateOf(world);
      await world.close();

      const child = spawn(process.execPath, [BIN, 'stdio', '--as', 'alice', '--db', db], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const lines: Message[] = [];
      const waiting: (() => void)[] = [];
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        let nl: number;
        while ((nl = out.indexOf('\n')) !== -1) {
          // Nothing but JSON-RPC may reach stdout: every line must parse.
          lines.push(JSON.parse(out.slice(0, nl)) as Message);
          out = out.slice(nl + 1);
          waiting.splice(0).forEach((w) => w());
        }
      });
      const reply = async (n: number) => {
        while (lines.length < n) await new Promise<void>((r) => waiting.push(r));
        return lines[n - 1]!;
      };
      const send = (text: string) => child.stdin.write(`${text}\n`);

      send('{ not json');
      expect(await reply(1)).toMatchObject({ id: null, error: { code: -32700, message: expect.stringMatching(/one JSON-RPC 2.0 message per line/) } });
      send('{"jsonrpc":"2.0","id":4,"method":42}');
      expect(await reply(2)).toMatchObject({ id: 4, error: { code: -32600 } });
      send('[1, 2]');
      expect(await reply(3)).toMatchObject({ id: null, error: { code: -32600 } });
      send(`{"jsonrpc":"2.0","id":5,"method":"ping","params":{"x":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`);
      expect(await reply(4)).toMatchObject({ id: 5, error: { code: -32600, message: expect.stringMatching(/levels deep/) } });
      send(`{"jsonrpc":"2.0","id":6,"method":"ping","params":{"pad":"${'x'.repeat(3 * 1024 * 1024)}"}}`);
      expect(await reply(5)).toMatchObject({ id: null, error: { code: -32600, message: expect.stringMatching(/larger than/) } });

      // The same connection still works: initialize, then a refused transfer and a good one.
      send(JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
      expect((await reply(6)).result?.serverInfo?.name).toBe('agent-ecology');
      send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      send(JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'ledger_transfer', arguments: { to: 'bob', amount: 'ten' } } }));
      const refused = await reply(7);
      expect(refused.result?.isError).toBe(true);
      expect(refused.result?.structuredContent?.error?.code).toBe('INVALID_ARGS');
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));

      const after = await World.open({ path: db });
      expect(stateOf(after)).toBe(before);
      expect(after.check().violations).toEqual([]);
      await after.close();
    } finally {
      cleanup();
    }
  });
});
