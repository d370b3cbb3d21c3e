import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/world.ts';

const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });

describe('ecology CLI', () => {
  it('has --help on every command', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/check/);
    expect(top.stdout).toMatch(/demo/);
    for (const cmd of ['check', 'demo']) {
      const r = run([cmd, '--help']);
      expect(r.status, cmd).toBe(0);
      expect(r.stdout).toMatch(/Usage: ecology/);
    }
  });

  it('rejects unknown commands and missing options with usage and a non-zero exit', () => {
    const r = run(['frobnicate']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
    const c = run(['check']);
    expect(c.status).not.toBe(0);
    expect(c.stderr).toMatch(/--db/);
  });

  it('demo runs an economy on the embedded database, twice, and the world stays consistent', () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'demo.db');
      for (let i = 0; i < 2; i++) {
        const r = run(['demo', '--db', db]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/bob invokes adder.add: \{"sum":42\}/);
        expect(r.stdout).toMatch(/Unrecognized key: "from"/);
      }
      const check = run(['check', '--db', db]);
      expect(check.status).toBe(0);
      expect(JSON.parse(check.stdout).ok).toBe(true);
    } finally {
      cleanup();
    }
  });
});
