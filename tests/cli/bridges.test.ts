import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/world.ts';

const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('ecology bridge', () => {
  it('init registers the bridges; list says which are on, which are off and why', () => {
    const tmp = tempDir();
    try {
      const db = join(tmp.dir, 'w.db');
      expect(run(['init', '--db', db, '--as', 'alice']).status).toBe(0);
      const env = { GITHUB_TOKEN: '' };
      const list = run(['bridge', 'list', '--db', db, '--json'], env);
      expect(list.status, list.stderr).toBe(0);
      const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; state: string; tools: number | null });
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(byId.mcp_everything).toMatchObject({ state: 'on' });
      expect(byId.mcp_everything!.tools).toBeGreaterThan(5);
      expect(byId.mcp_github!.state).toBe('off: GITHUB_TOKEN is not set');
      const text = run(['bridge', 'list', '--db', db], env);
      expect(text.stdout).toMatch(/mcp_fetch\s+on\s+shared\s+fee 2/);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
