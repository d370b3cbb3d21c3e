import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { World } from '../../src/world.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';

export const FIXTURES = new URL('../bridges/fixtures/', import.meta.url).pathname;
const BRIDGES = new URL('../../bridges/', import.meta.url).pathname;

/** A bridge definition file's JSON: one server (stdio or Streamable HTTP) and the world's settings. */
export type DefinitionJson = { server: Record<string, unknown>; ecology: Record<string, unknown> };

/**
 * A folder of bridge definitions for a test world's `bridges.folder`: the named files of the package's own
 * bridges/ copied, and the given definitions written (name -> server and settings).
 */
export function bridgeFolder(defs: Record<string, DefinitionJson>, copy: string[] = []): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-bridges-'));
  for (const name of copy) copyFileSync(join(BRIDGES, `${name}.json`), join(dir, `${name}.json`));
  for (const [name, d] of Object.entries(defs)) writeFileSync(join(dir, `${name}.json`), JSON.stringify({ mcpServers: { [name]: d.server }, ecology: d.ecology }));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Invokes a bridge (or any artifact) through the world's queue, as an MCP client's artifact_invoke would. */
export const invokeVia = (world: World, as: string, id: string, method: string, args: Record<string, unknown> = {}): Promise<InvokeResult> =>
  world.submit(as, 'genesis_store', 'invoke', { id, method, args });

/** Calls until a bridge that crashed is back (each refusal says when to retry), then returns the first success. */
export async function untilBack(world: World, as: string, id: string, method: string, args: Record<string, unknown> = {}): Promise<InvokeResult> {
  for (let i = 0; ; i++) {
    const r = await invokeVia(world, as, id, method, args);
    if (r.ok || i >= 20) return r;
    await sleep(Math.max(100, (r.error.retry_after_ms ?? 500) + 50));
  }
}

export interface HttpUpstream {
  /** The MCP endpoint, for a definition's url. */
  url: string;
  /** Every request it received: method, path and headers. */
  recorded(): Promise<{ method: string; url: string; headers: Record<string, string> }[]>;
  /** Bytes of its last 50 MB answer that got out before the client hung up. */
  floodWritten(): Promise<number | null>;
  stop(): void;
}

/** Starts tests/bridges/fixtures/http-upstream.mjs as a process of its own, on a free port of 127.0.0.1. */
export async function startHttpUpstream(): Promise<HttpUpstream> {
  const child = spawn(process.execPath, [join(FIXTURES, 'http-upstream.mjs')], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the HTTP upstream fixture exited (${code}) before listening`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const get = async (path: string) => (await fetch(`${base}${path}`)).json();
  return {
    url: `${base}/mcp`,
    recorded: () => get('/recorded') as never,
    floodWritten: async () => ((await get('/flood-written')) as { written: number | null }).written,
    stop: () => void child.kill(),
  };
}
